"""Conditions on the caller through the engine: every route, fresh and cached, and the policy memo's key.

Two issuers (an issuers file) and rules with a condition of each kind. For each caller, every
route is decided fresh (the first call of a token), again (the token's remembered answer), and
for a second token of the same caller (the policy memo); and the policy of the first call is
evaluated on every route, as API Gateway's result cache does with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from authorizer.config import read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.support.keys import SigningKey, jwks_document, rsa_key
from tests.support.minting import AUDIENCE, auth0_claims, mint

API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
ISS_A, ISS_B = "https://tenant-a.example/", "https://tenant-b.example/"
NOW = 1_900_000_000
RULES = f"""\
version: 1
rules:
  - route: GET /orders/*
    scopes: [read:orders]
  - route: POST /orders/*/refunds
    scopes: [refund:orders]
    clients: [billing-job]
  - route: GET /reports/*
    scopes: [read:orders]
    orgs: [org_acme]
  - route: "* /admin/*"
    authenticated: true
    issuers: ["{ISS_A}"]
  - route: DELETE /orders/*
    scopes: [read:orders]
  - id: no-partner-deletes
    route: DELETE /orders/*
    deny: true
    clients: [partner]
"""
ROUTES = ("GET /orders/1", "POST /orders/1/refunds", "GET /reports/q3", "GET /admin/users", "DELETE /orders/1")


@dataclass(frozen=True)
class Who:
    client: str
    org: str | None
    issuer: str
    scope: str
    allowed: tuple[bool, ...]  # on ROUTES, in order


CALLERS = (
    Who("billing-job", None, ISS_A, "read:orders refund:orders", (True, True, False, True, True)),
    Who("other", None, ISS_A, "read:orders refund:orders", (True, False, False, True, True)),
    Who("partner", "org_acme", ISS_A, "read:orders refund:orders", (True, False, True, True, False)),
    Who("other", "org_acme", ISS_B, "read:orders", (True, False, True, False, True)),
    Who("other", "org_globex", ISS_B, "read:orders", (True, False, False, False, True)),
)


@dataclass
class Keys:
    """Two issuers' JWKS endpoints, in process: the Fetcher interface (url -> bytes)."""

    documents: dict[str, dict[str, Any]]
    fetched: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        return json.dumps(self.documents[url]).encode()


def key_of(issuer: str) -> SigningKey:
    return rsa_key("key-a" if issuer == ISS_A else "key-b")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "issuers.yaml").write_text(
        f"version: 1\nissuers:\n  - issuer: {ISS_A}\n    audiences: [{AUDIENCE}]\n"
        f"  - issuer: {ISS_B}\n    audiences: [{AUDIENCE}]\n"
    )
    settings = read_settings({"ISSUERS_FILE": str(tmp_path / "issuers.yaml"), "RULES_FILE": str(tmp_path / "rules.yaml")})
    keys = Keys({issuer + ".well-known/jwks.json": jwks_document(key_of(issuer).jwk()) for issuer in (ISS_A, ISS_B)})
    return Engine.from_settings(settings, fetcher=keys, wall_clock=lambda: NOW)


def token_of(who: Who, jti: str) -> str:
    claims = auth0_claims(iss=who.issuer, azp=who.client, sub=f"{who.client}@clients", scope=who.scope,
                          iat=NOW, exp=NOW + 3600, jti=jti)
    if who.org is not None:
        claims["org_id"] = who.org
    return mint(key_of(who.issuer), claims)


def call(engine: Engine, token: str, route: str) -> tuple[dict[str, Any], DecisionRecord]:
    method, path = route.split(" ")
    record = DecisionRecord()
    event = {"type": "TOKEN", "methodArn": f"{API}/{method}{path}", "authorizationToken": f"Bearer {token}"}
    return engine.authorize(event, record), record


@pytest.mark.parametrize("who", CALLERS, ids=lambda w: f"{w.client}-{w.org}-{w.issuer[8:16]}")
def test_each_condition_allows_and_denies_on_every_route_fresh_and_cached(engine: Engine, who: Who) -> None:
    first, second = token_of(who, "1"), token_of(who, "2")
    for position, (route, allowed) in enumerate(zip(ROUTES, who.allowed)):
        # fresh: the token's first call of this route
        fresh = call(engine, first, route)[1]
        # cached: the same token again (its remembered answer), and another token of the same caller
        again = call(engine, first, route)[1]
        other = call(engine, second, route)[1]
        expected = "allow" if allowed else "deny"
        assert (fresh.outcome, again.outcome, other.outcome) == (expected,) * 3, route
        assert (fresh.policy_cached, again.token_cached, again.policy_cached) == (position > 0, True, True)
        # (the second token is verified on its first call, and its policy comes from the memo)
        assert (other.token_cached, other.policy_cached) == (position > 0, True)
    # AND the policy of one call gives every route's decision (API Gateway's result cache reuses it)
    document = call(engine, token_of(who, "3"), ROUTES[0])[0]["policyDocument"]
    verdicts = tuple(evaluate_policy(document, f"{API}/{r.replace(' ', '')}") is Verdict.ALLOW for r in ROUTES)
    assert verdicts == who.allowed


def test_a_client_restricted_denial_says_why_in_the_record(engine: Engine) -> None:
    _, record = call(engine, token_of(CALLERS[1], "1"), "POST /orders/1/refunds")
    assert (record.outcome, record.reason, record.client_id, record.rule_ids) == (
        "deny", "caller_not_allowed", "other", ("POST /orders/*/refunds",),
    )


def test_the_policy_memo_keys_on_exactly_what_the_rules_read(engine: Engine) -> None:
    # GIVEN callers that differ only in a client, org or issuer no rule names
    for n, (client, org) in enumerate([("stranger-1", None), ("stranger-2", "org_nobody"), ("stranger-3", "org_x")]):
        call(engine, token_of(Who(client, org, ISS_B, "read:orders", ()), str(n)), ROUTES[0])
    # THEN they share one policy; each named value makes its own
    assert len(engine.policies) == 1
    call(engine, token_of(Who("billing-job", None, ISS_B, "read:orders", ()), "9"), ROUTES[0])
    call(engine, token_of(Who("stranger-4", "org_acme", ISS_B, "read:orders", ()), "10"), ROUTES[0])
    call(engine, token_of(Who("stranger-5", None, ISS_A, "read:orders", ()), "11"), ROUTES[0])
    assert len(engine.policies) == 4
