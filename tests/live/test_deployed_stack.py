"""End to end against a deployed stack and real Auth0 tokens (opt-in: see tests/live/stack.py).

Expected answers come from the repository's own policies/rules.yaml and template.yaml, so the
suite checks that what is deployed decides exactly as the rules say.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest

from authorizer.caller import Caller
from authorizer.rules import RuleSet, load_rules
from scopegate_tools.sam_template import RouteSpec, load_template
from tests.live.stack import Answer, Stack, Token

REPO = Path(__file__).resolve().parents[2]
RULES: RuleSet = load_rules(REPO / "policies" / "rules.yaml")
ROUTES = load_template(REPO / "template.yaml").authorized_routes()
GATEWAY_DENIAL = 403

pytestmark = pytest.mark.live


def concrete(route: RouteSpec) -> tuple[str, str]:
    """A request for ``route``: ANY becomes GET, {id} and {proxy+} become sample segments."""
    method = "GET" if route.method == "ANY" else route.method
    return method, re.sub(r"\{[^}]+\}", "1", route.path)


def expected_allowed(token: Token, method: str, path: str) -> bool:
    return RULES.decide(method, path, Caller.holding(token.scopes)).allowed


def reached_the_service(answer: Answer) -> bool:
    return answer.status not in (401, GATEWAY_DENIAL)


def test_reader_gets_hello_world(stack: Stack, tokens: dict[str, Token]) -> None:
    answer = stack.call("GET", "/hello", f"Bearer {tokens['reader'].value}")
    assert (answer.status, answer.body) == (200, {"message": "hello world"})


def test_outsider_without_read_hello_gets_403(stack: Stack, tokens: dict[str, Token]) -> None:
    assert "read:hello" not in tokens["outsider"].scopes, "the outsider client must not be granted read:hello"
    answer = stack.call("GET", "/hello", f"Bearer {tokens['outsider'].value}")
    assert answer.status == GATEWAY_DENIAL


@pytest.mark.parametrize("authorization", [None, "Basic abc", "Bearer not-a-jwt", "tampered"])
def test_missing_malformed_or_forged_tokens_get_401(stack: Stack, tokens: dict[str, Token], authorization: str | None) -> None:
    if authorization == "tampered":
        head, payload, signature = tokens["reader"].value.split(".")
        authorization = f"Bearer {head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    assert stack.call("GET", "/hello", authorization).status == 401


@pytest.mark.parametrize("route", ROUTES, ids=[r.text for r in ROUTES])
@pytest.mark.parametrize("client", ["reader", "outsider"])
def test_every_route_answers_as_the_rules_decide(stack: Stack, tokens: dict[str, Token], client: str, route: RouteSpec) -> None:
    method, path = concrete(route)
    answer = stack.call(method, path, f"Bearer {tokens[client].value}")
    assert reached_the_service(answer) == expected_allowed(tokens[client], method, path), (answer.status, answer.body)


def test_a_cached_decision_is_right_on_every_other_route(stack: Stack, live_env: dict[str, str]) -> None:
    # GIVEN a fresh token (so its first call fills API Gateway's cache) that the rules allow on
    # one route and deny on another
    for client in ("reader", "outsider"):
        token = stack.token_for(client, live_env)
        verdicts = {concrete(r): expected_allowed(token, *concrete(r)) for r in ROUTES}
        allowed = [request for request, ok in verdicts.items() if ok]
        denied = [request for request, ok in verdicts.items() if not ok]
        if allowed and denied:
            break
    else:
        pytest.skip("no client is allowed on one deployed route and denied on another; add routes or scopes")
    # WHEN it calls the allowed route, then the denied one, then the allowed one again
    sequence = [allowed[0], denied[0], allowed[0], *denied[1:], *allowed[1:]]
    reached = [reached_the_service(stack.call(m, p, f"Bearer {token.value}")) for m, p in sequence]
    # THEN every answer is the rules' answer for that route, not the first route's
    assert reached == [verdicts[request] for request in sequence]


def test_the_authorizer_decided_with_the_deployed_rules_and_the_tokens_identity(stack: Stack, tokens: dict[str, Token]) -> None:
    import boto3

    # GIVEN a call with the reader's token
    token = tokens["reader"]
    stack.call("GET", "/hello", f"Bearer {token.value}")
    fingerprint = hashlib.sha256(token.value.encode()).hexdigest()[:12]
    # WHEN its decision log line reaches CloudWatch (within a minute)
    logs = boto3.client("logs")
    decision = None
    deadline = time.monotonic() + 60
    while decision is None and time.monotonic() < deadline:
        events = logs.filter_log_events(
            logGroupName=stack.outputs["AuthorizerLogGroupName"], filterPattern=f'"{fingerprint}"'
        ).get("events", [])
        decisions = [json.loads(e["message"]) for e in events if e["message"].lstrip().startswith("{")]
        decision = next((d for d in decisions if d.get("message") == "decision"), None)
        if decision is None:
            time.sleep(5)
    # THEN it names the token's client and the rules file of this repository
    assert decision is not None, f"no decision with token_fingerprint {fingerprint} in the authorizer's log group"
    claims = token.claims
    assert (decision["outcome"], decision["principal"], decision["client_id"], decision["rules_digest"]) == (
        "allow", claims["sub"], claims.get("azp", claims.get("client_id")), RULES.digest
    )
