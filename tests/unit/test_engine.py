"""authorizer.engine: one engine built by the test, with a fetcher and clocks the test holds.

No environment variables and no module state: each test builds its own :class:`Engine` from
settings read off a plain mapping, with an in-process fetcher that publishes JWKS documents of
keys generated at test time and two clocks the test moves (the wall clock that token times are
checked against, and the monotonic one that ages the JWKS cache). The HTTP fetcher is tested
against real servers elsewhere (test_http_fetch.py, test_jwks.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from authorizer import errors
from authorizer.caller import Caller
from authorizer.arn import parse_method_arn
from authorizer.config import Settings, read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from scopegate_tools.iam import Verdict, evaluate_policy
from authorizer.policy import build_policy_document
from authorizer.remembered_token import MAX_REMEMBERED_ARN_CHARS, MAX_ROUTES_PER_TOKEN
from tests.support.keys import SigningKey, jwks_document, rsa_key
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

JWKS_URI = "https://tenant.example.auth0.com/.well-known/jwks.json"
API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
RULES = """\
version: 1
rules:
  - route: GET /orders/*
    any_scopes: [read:orders, admin]
  - route: "* /admin/*"
    deny: true
"""
NOW = 1_900_000_000  # the wall clock's start (epoch seconds)
TTL = 600  # JWKS_CACHE_TTL_SECONDS
SKEW = 30  # CLOCK_SKEW_SECONDS


@dataclass
class Clock:
    """A clock that moves only when the test moves it."""

    now: float

    def __call__(self) -> float:
        return self.now


@dataclass
class PublishedKeys:
    """An issuer's JWKS endpoint, in process: honours the Fetcher interface (url -> bytes)."""

    document: dict[str, Any] = field(default_factory=lambda: jwks_document())
    fetched: list[str] = field(default_factory=list)

    def publish(self, *keys: SigningKey) -> None:
        self.document = jwks_document(*(key.jwk() for key in keys))

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        return json.dumps(self.document).encode()


@dataclass
class World:
    engine: Engine
    keys: PublishedKeys
    wall: Clock
    monotonic: Clock
    settings: Settings


def build_world(tmp_path: Path, **env: str) -> World:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    settings = read_settings({
        "TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": JWKS_URI, "RULES_FILE": str(rules),
        "JWKS_CACHE_TTL_SECONDS": str(TTL), "CLOCK_SKEW_SECONDS": str(SKEW), **env,
    })
    keys, wall, monotonic = PublishedKeys(), Clock(NOW), Clock(5000.0)
    keys.publish(rsa_key("key-1"))
    engine = Engine.from_settings(settings, fetcher=keys, monotonic=monotonic, wall_clock=wall)
    return World(engine, keys, wall, monotonic, settings)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path)


def token(scope: str = "read:orders", key: SigningKey | None = None, **claims: Any) -> str:
    times = {"iat": NOW, "exp": NOW + 3600, **claims}
    return mint(key or rsa_key("key-1"), auth0_claims(scope=scope, **times))


def event(bearer: str | None, method: str = "GET", path: str = "/orders/1") -> dict[str, Any]:
    result: dict[str, Any] = {"type": "TOKEN", "methodArn": f"{API}/{method}{path}"}
    if bearer is not None:
        result["authorizationToken"] = f"Bearer {bearer}"
    return result


def decide(world: World, evt: dict[str, Any]) -> tuple[dict[str, Any], DecisionRecord]:
    record = DecisionRecord()
    return world.engine.authorize(evt, record), record


def cached(record: DecisionRecord) -> tuple[bool | None, bool | None, bool | None]:
    return record.token_cached, record.policy_cached, record.jwks_cached


def expected_policy(world: World, granted: frozenset[str]) -> dict[str, Any]:
    api = parse_method_arn(f"{API}/GET/orders/1").api
    return build_policy_document(world.engine.rules, Caller.holding(granted & world.engine.rules.known_scopes), api)


# --- decisions ----------------------------------------------------------------------------------


def test_a_token_with_the_scope_is_allowed_with_the_policy_of_its_scopes_and_the_context(world: World) -> None:
    # GIVEN a token holding read:orders WHEN it calls GET /orders/1
    response, record = decide(world, event(token("read:orders")))
    # THEN the answer is the whole response API Gateway expects
    assert response == {
        "principalId": "client-abc@clients",
        "policyDocument": expected_policy(world, frozenset({"read:orders"})),
        "context": {"scope": "read:orders", "client_id": "client-abc", "token_profile": "auth0",
                    "rules_digest": world.engine.rules.digest, "issuer": ISSUER},
    }
    assert evaluate_policy(response["policyDocument"], f"{API}/GET/orders/1") is Verdict.ALLOW
    # AND the record says why
    assert (record.outcome, record.reason, record.rule_ids) == ("allow", "allowed", ("GET /orders/*",))
    assert (record.method, record.path, record.stage) == ("GET", "/orders/1", "Dev")
    assert cached(record) == (False, False, False)
    assert world.keys.fetched == [JWKS_URI]


def test_a_token_without_the_scope_is_denied_by_its_policy(world: World) -> None:
    response, record = decide(world, event(token("write:orders")))
    assert evaluate_policy(response["policyDocument"], f"{API}/GET/orders/1") is Verdict.EXPLICIT_DENY
    assert (record.outcome, record.reason, record.missing_scopes) == (
        "deny", "insufficient_scope", ("admin", "read:orders"),
    )


def test_a_deny_rule_denies_even_the_admin(world: World) -> None:
    response, record = decide(world, event(token("admin"), "DELETE", "/admin/users"))
    # (no Allow of the compact policy reaches /admin/*, so its Deny is dropped: denied implicitly)
    assert evaluate_policy(response["policyDocument"], f"{API}/DELETE/admin/users") is Verdict.IMPLICIT_DENY
    assert (record.outcome, record.reason) == ("deny", "denied_by_rule")


@pytest.mark.parametrize(
    "authorization, error, reason",
    [
        (None, errors.MissingToken, "missing_token"),
        ("Basic abc", errors.MalformedToken, "malformed_token"),
        (lambda: token(exp=NOW - SKEW), errors.TokenExpired, "token_expired"),
        (lambda: token(nbf=NOW + SKEW + 1), errors.TokenNotYetValid, "token_not_yet_valid"),
        (lambda: token(iat=NOW + SKEW + 1), errors.TokenNotYetValid, "iat_in_future"),
        (lambda: token(key=rsa_key("key-2")), errors.UnknownKid, "unknown_kid"),
        (lambda: token(key=SigningKey("key-1", rsa_key("key-2").private_key)), errors.BadSignature, "bad_signature"),
        (lambda: token(iss="https://evil.example/"), errors.UnknownIssuer, "unknown_issuer"),
        (lambda: token(aud="https://other.example"), errors.WrongAudience, "wrong_audience"),
    ],
)
def test_an_invalid_token_raises_its_401_reason(world: World, authorization: Any, error: type, reason: str) -> None:
    evt = event(None)
    if authorization is not None:
        evt["authorizationToken"] = authorization if isinstance(authorization, str) else f"Bearer {authorization()}"
    with pytest.raises(error) as raised:
        decide(world, evt)
    assert raised.value.reason == reason
    assert len(world.engine.tokens) == 0


@pytest.mark.parametrize("kind", ["COGNITO", "token", None])
def test_an_event_of_another_type_is_a_fault_not_a_refusal(world: World, kind: str | None) -> None:
    with pytest.raises(errors.BadEvent):
        decide(world, {**event(token()), "type": kind})


# --- the memo of verified tokens ----------------------------------------------------------------


def test_a_repeated_token_reuses_its_answer_without_a_fetch(world: World) -> None:
    bearer = token("read:orders")
    first, first_record = decide(world, event(bearer))
    again, again_record = decide(world, event(bearer))
    other, other_record = decide(world, event(bearer, "GET", "/hello"))
    # THEN the repeated call is answered from the memo, the same answer
    assert again == first
    assert cached(first_record) == (False, False, False)
    assert cached(again_record) == (True, True, True)
    # AND another route is decided anew, with the token's policy for this stage
    assert (other_record.outcome, other_record.reason) == ("deny", "no_matching_rule")
    assert cached(other_record) == (True, True, True) and other["policyDocument"] == first["policyDocument"]
    assert world.keys.fetched == [JWKS_URI]


def test_tokens_with_the_same_known_scopes_share_one_built_policy(world: World) -> None:
    _, first = decide(world, event(token("read:orders", jti="a")))
    response, second = decide(world, event(token("read:orders unknown:scope", jti="b")))
    assert (second.token_cached, second.policy_cached) == (False, True)
    assert response["policyDocument"] == expected_policy(world, frozenset({"read:orders"}))


def test_a_remembered_token_expires_when_the_wall_clock_passes_its_exp_plus_the_skew(world: World) -> None:
    # GIVEN a token valid for 60 s more, answered once
    bearer = token(exp=NOW + 60)
    decide(world, event(bearer))
    # WHEN the wall clock reaches the last second within the skew THEN the memo still answers
    world.wall.now = NOW + 60 + SKEW - 1
    assert decide(world, event(bearer))[1].token_cached is True
    # WHEN it passes exp plus the skew THEN the same call is refused, and the token forgotten
    world.wall.now = NOW + 60 + SKEW
    with pytest.raises(errors.TokenExpired):
        decide(world, event(bearer))
    assert len(world.engine.tokens) == 0


def test_a_remembered_token_is_refused_when_the_clock_steps_back_before_its_iat(world: World) -> None:
    # GIVEN a token issued now and remembered
    bearer = token()
    decide(world, event(bearer))
    # WHEN the wall clock is stepped back beyond the skew (an NTP correction)
    world.wall.now = NOW - SKEW - 1
    # THEN every claim check is re-run on the remembered token, not only exp
    with pytest.raises(errors.TokenNotYetValid) as raised:
        decide(world, event(bearer))
    assert raised.value.reason == "iat_in_future"


def test_a_remembered_token_stops_verifying_once_a_scheduled_refresh_drops_its_key(world: World) -> None:
    # GIVEN a token signed by key-2 while both keys are published, answered once
    world.keys.publish(rsa_key("key-1"), rsa_key("key-2"))
    bearer = token(key=rsa_key("key-2"))
    decide(world, event(bearer))
    # WHEN the issuer drops key-2 THEN until the scheduled refresh the cached keys still hold it
    world.keys.publish(rsa_key("key-1"))
    world.monotonic.now += TTL - 1
    assert decide(world, event(bearer))[1].token_cached is True
    # WHEN the refresh is due THEN the remembered token is refused as an unknown kid
    world.monotonic.now += 1
    with pytest.raises(errors.UnknownKid) as raised:
        decide(world, event(bearer))
    assert raised.value.reason == "unknown_kid"
    assert len(world.keys.fetched) == 3  # initial, scheduled, one refetch for the missing kid
    assert len(world.engine.tokens) == 0


def test_a_remembered_token_is_verified_anew_when_its_kid_names_another_key(world: World) -> None:
    # GIVEN a remembered token WHEN a refresh brings other key material under the same kid
    bearer = token()
    decide(world, event(bearer))
    world.keys.publish(SigningKey("key-1", rsa_key("key-2").private_key))
    world.monotonic.now += TTL
    # THEN the token is verified again against the new key, and its signature fails
    with pytest.raises(errors.BadSignature):
        decide(world, event(bearer))


def test_a_verified_token_cache_of_zero_remembers_nothing(tmp_path: Path) -> None:
    world = build_world(tmp_path, VERIFIED_TOKEN_CACHE_SIZE="0")
    bearer = token()
    records = [decide(world, event(bearer))[1] for _ in range(3)]
    assert [r.token_cached for r in records] == [False, False, False]
    assert [r.policy_cached for r in records] == [False, True, True]  # the policy memo still serves


def test_the_answers_a_token_remembers_are_bounded(world: World) -> None:
    bearer = token()
    for n in range(MAX_ROUTES_PER_TOKEN + 3):
        decide(world, event(bearer, "GET", f"/orders/{n}"))
    decide(world, event(bearer, "GET", "/orders/" + "x" * MAX_REMEMBERED_ARN_CHARS))
    (remembered,) = world.engine.tokens.values()
    assert sorted(remembered.answers) == sorted((f"{API}/GET/orders/{n}", None) for n in range(MAX_ROUTES_PER_TOKEN))


# --- what a caller holds cannot change the memo -------------------------------------------------


def test_a_caller_editing_its_response_changes_no_later_response(world: World) -> None:
    # GIVEN one answer, edited by its caller everywhere it can be
    bearer = token("read:orders")
    first, _ = decide(world, event(bearer))
    untouched = json.loads(json.dumps(first))
    first["policyDocument"]["Statement"][0]["Resource"].append(f"{API}/*/*")
    first["policyDocument"]["Statement"][0]["Effect"] = "Allow"
    first["policyDocument"]["Statement"].append({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"})
    first["context"]["scope"] = "admin"
    # WHEN the same token asks again (the memo), and another token of the same scopes (the policy memo)
    again, again_record = decide(world, event(bearer))
    other, other_record = decide(world, event(token("read:orders", jti="other")))
    # THEN both get the original answer
    assert cached(again_record) == (True, True, True) and other_record.policy_cached is True
    assert again == untouched
    assert other["policyDocument"] == untouched["policyDocument"]


def test_each_response_holds_its_own_lists_and_dicts(world: World) -> None:
    bearer = token("read:orders")
    first, _ = decide(world, event(bearer))
    again, _ = decide(world, event(bearer))

    def containers(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value, *(c for item in value.values() for c in containers(item))]
        if isinstance(value, list):
            return [value, *(c for item in value for c in containers(item))]
        return []

    assert first == again
    assert not {id(c) for c in containers(first)} & {id(c) for c in containers(again)}
