"""authorizer.context: what services receive; issuer, org_id and the allowlisted claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authorizer.config import read_settings
from authorizer.context import build_context, passed_claims
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from authorizer.errors import ConfigError, InvalidClaim
from authorizer.rules import compile_rules
from authorizer.tokens import Claims
from tests.support.keys import jwks_document, rsa_key
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

RULES = compile_rules("version: 1\nrules:\n  - route: GET /x\n    authenticated: true\n", "rules.yaml")
TENANT = "https://example.com/tenant"


def claims(organization: str | None = None) -> Claims:
    return Claims("c@clients", "c", ISSUER, ("a", "b"), 2e9, None, None, "auth0", None, "kid", organization)


def test_the_context_holds_the_issuer_and_no_org_id_when_the_token_has_none() -> None:
    assert build_context(claims(), RULES) == {
        "scope": "a b", "client_id": "c", "token_profile": "auth0", "rules_digest": RULES.digest, "issuer": ISSUER,
    }


def test_the_context_holds_the_org_id_when_the_token_has_one() -> None:
    assert build_context(claims("org_123"), RULES)["org_id"] == "org_123"


def test_passed_claims_are_strings_as_they_are_and_json_for_anything_else() -> None:
    payload = {TENANT: "acme", "plan": {"tier": "gold", "seats": 5}, "n": 42, "flag": True, "list": ["x", "é"],
               "nothing": None}
    passed = passed_claims(payload, (TENANT, "plan", "n", "flag", "list", "nothing", "absent"), 256)
    assert dict(passed.values) == {
        TENANT: "acme", "plan": '{"tier":"gold","seats":5}', "n": "42", "flag": "true", "list": '["x","é"]',
    }
    assert passed.omitted == ()
    context = build_context(claims(), RULES, passed.values)
    assert (context["claim:" + TENANT], context["claim:plan"]) == ("acme", '{"tier":"gold","seats":5}')
    assert all(isinstance(value, str) for value in context.values())


def test_a_claim_over_the_cap_is_left_out_whole_never_cut() -> None:
    # GIVEN a 20-byte cap: "é" is 2 bytes in UTF-8
    payload = {"fits": "x" * 20, "over": "é" * 11, "text": "\ud800"}
    passed = passed_claims(payload, ("fits", "over", "text"), 20)
    assert (dict(passed.values), passed.omitted) == ({"fits": "x" * 20}, ("over", "text"))


def test_context_claims_names_are_checked() -> None:
    for raw, problem in [("a,,b", "'' is not a claim name"), ("a b", "'a b' is not a claim name"),
                         ("a,a", "names a claim twice"), (",".join(f"c{n}" for n in range(11)), "names 11 claims; at most 10")]:
        with pytest.raises(ConfigError) as raised:
            read_settings({"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "CONTEXT_CLAIMS": raw})
        assert problem in str(raised.value)


def test_the_engine_passes_the_allowlisted_claims_and_logs_the_names_of_those_left_out(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - route: GET /x\n    authenticated: true\n")
    settings = read_settings({"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "RULES_FILE": str(rules),
                              "CONTEXT_CLAIMS": f"{TENANT},big", "CONTEXT_CLAIM_MAX_BYTES": "16"})
    key = rsa_key("key-1")
    engine = Engine.from_settings(settings, fetcher=lambda url: json.dumps(jwks_document(key.jwk())).encode())
    token = mint(key, auth0_claims(org_id="org_9", **{TENANT: "acme", "big": "y" * 17}))
    event = {"type": "TOKEN", "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/x", "authorizationToken": f"Bearer {token}"}
    for _ in range(2):  # fresh, then remembered
        record = DecisionRecord()
        context = engine.authorize(event, record)["context"]
        assert (context["org_id"], context[f"claim:{TENANT}"], "claim:big" in context) == ("org_9", "acme", False)
        assert record.as_log_fields()["context_claims_omitted"] == ["big"]
        assert record.as_log_fields()["org_id"] == "org_9"


def test_an_org_id_that_is_not_a_non_empty_string_refuses_the_token(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - route: GET /x\n    authenticated: true\n")
    settings = read_settings({"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "RULES_FILE": str(rules)})
    key = rsa_key("key-1")
    engine = Engine.from_settings(settings, fetcher=lambda url: json.dumps(jwks_document(key.jwk())).encode())
    for bad in ("", 7, ["org_1"]):
        token = mint(key, auth0_claims(org_id=bad))
        event = {"type": "TOKEN", "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/x",
                 "authorizationToken": f"Bearer {token}"}
        with pytest.raises(InvalidClaim):
            engine.authorize(event, DecisionRecord())
