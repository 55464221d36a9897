"""authorizer.engine with REQUEST events: per-route mode, no setting, the same token checks.

The engine is built as in test_engine.py (a fetcher and clocks the test holds); the events are
API Gateway's REST REQUEST events (tests/events/rest_request_authorizer_event.json).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from authorizer import errors
from authorizer.caller import Caller
from authorizer.decision_log import DecisionRecord
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.support.request_events import API_PREFIX, request_event
from tests.unit.test_engine import World, build_world, cached, decide, event, token

@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path)


def bearer(scope: str = "read:orders") -> str:
    return f"Bearer {token(scope)}"


def verdicts(document: dict[str, Any], method: str, paths: list[str]) -> list[Verdict]:
    return [evaluate_policy(document, f"{API_PREFIX}/{method}{path}") for path in paths]


def test_a_request_event_gets_the_same_answer_as_a_token_event_but_a_per_route_policy(world: World) -> None:
    # GIVEN one token, asked about GET /orders/42 as a TOKEN and as a REQUEST event
    value = bearer("read:orders")
    by_token, _ = decide(world, event(value.removeprefix("Bearer ")))
    by_request, record = decide(world, request_event(value))
    # THEN principal and context are the same, and so is the decision
    assert by_request["principalId"] == by_token["principalId"]
    assert by_request["context"] == by_token["context"]
    assert (record.outcome, record.reason, record.rule_ids) == ("allow", "allowed", ("GET /orders/*",))
    assert (record.method, record.path, record.stage) == ("GET", "/orders/42", "Dev")
    # AND the policy covers the route's every path, and nothing of another route
    paths = ["/orders/42", "/orders/7", "/orders/x:y", "/orders/42/"]
    assert verdicts(by_request["policyDocument"], "GET", paths) == [Verdict.ALLOW] * 4
    assert evaluate_policy(by_request["policyDocument"], f"{API_PREFIX}/DELETE/admin/x") is not Verdict.ALLOW


def test_a_request_event_without_the_scope_is_denied_on_every_path_of_its_route(world: World) -> None:
    response, record = decide(world, request_event(bearer("write:orders")))
    assert (record.outcome, record.reason) == ("deny", "insufficient_scope")
    assert Verdict.ALLOW not in verdicts(response["policyDocument"], "GET", ["/orders/42", "/orders/7"])


def test_the_route_a_deny_rule_covers_is_denied_even_to_the_admin(world: World) -> None:
    evt = request_event(bearer("admin"), "DELETE", "/admin/users/7", "/admin/{proxy+}")
    response, record = decide(world, evt)
    assert (record.outcome, record.reason) == ("deny", "denied_by_rule")
    assert verdicts(response["policyDocument"], "DELETE", ["/admin/users/7", "/admin/a/b/c"]) == [
        Verdict.EXPLICIT_DENY, Verdict.EXPLICIT_DENY,
    ]


@pytest.mark.parametrize(
    ("authorization", "error", "reason"),
    [
        (None, errors.MissingToken, "missing_token"),
        ("", errors.MissingToken, "missing_token"),
        ("Basic abc", errors.MalformedToken, "malformed_token"),
        ("Bearer", errors.MalformedToken, "malformed_token"),
        ("Bearer not-a-jwt", errors.MalformedToken, "malformed_token"),
    ],
)
def test_a_missing_or_malformed_header_is_401(world: World, authorization: str | None, error: type, reason: str) -> None:
    with pytest.raises(error) as raised:
        decide(world, request_event(authorization))
    assert raised.value.reason == reason


def test_two_authorization_headers_are_refused_even_when_both_are_valid(world: World) -> None:
    evt = request_event(bearer())
    evt["multiValueHeaders"]["Authorization"].append(bearer("admin"))
    with pytest.raises(errors.MalformedToken):
        decide(world, evt)
    assert len(world.engine.tokens) == 0


def test_a_route_that_disagrees_with_the_method_arn_is_a_fault_before_the_token_is_read(world: World) -> None:
    # GIVEN an event whose route says /customers/{id} while its methodArn is GET /orders/42
    evt = request_event("Basic not-even-a-bearer")
    evt["requestContext"]["resourcePath"] = "/customers/{id}"
    # THEN it is a 500, whatever the token: the policy could not be right for its cache entry
    with pytest.raises(errors.BadEvent):
        decide(world, evt)


def test_the_memo_keeps_one_policy_per_route_and_shares_it_across_the_routes_paths(world: World) -> None:
    value = bearer("read:orders")
    first, first_record = decide(world, request_event(value, "GET", "/orders/1"))
    second, second_record = decide(world, request_event(value, "GET", "/orders/2"))
    other, other_record = decide(world, request_event(value, "GET", "/hello", "/hello"))
    assert second["policyDocument"] == first["policyDocument"]
    assert other["policyDocument"] != first["policyDocument"]
    assert [cached(r)[:2] for r in (first_record, second_record, other_record)] == [
        (False, False), (True, True), (True, False),
    ]
    known = Caller.holding({"read:orders"})  # the memo key: the caller as the rules see it
    for route in ("GET /orders/{id}", "GET /hello"):
        assert world.engine.policies.get((known, API_PREFIX, route)) is not None
    assert world.engine.policies.get((known, API_PREFIX, None)) is None


def test_a_token_event_and_a_request_event_keep_their_policies_apart(world: World) -> None:
    value = bearer("read:orders")
    decide(world, event(value.removeprefix("Bearer ")))
    _, record = decide(world, request_event(value))
    # THEN the per-route policy is built for itself, not taken from the whole API's memo entry
    assert record.policy_cached is False
    known = Caller.holding({"read:orders"})  # the memo key: the caller as the rules see it
    assert world.engine.policies.get((known, API_PREFIX, None)) is not None
    assert world.engine.policies.get((known, API_PREFIX, "GET /orders/{id}")) is not None


def test_a_request_event_writes_the_same_decision_record_fields(world: World) -> None:
    record = DecisionRecord()
    world.engine.authorize(request_event(bearer()), record)
    fields = record.as_log_fields()
    assert (fields["outcome"], fields["reason"], fields["method"], fields["path"]) == (
        "allow", "allowed", "GET", "/orders/42",
    )
    assert "Bearer" not in str(fields)
