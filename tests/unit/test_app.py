"""authorizer.app: the Lambda contract end to end, against a real JWKS server on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from authorizer import app
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.support.jwks_server import Answer, JwksServer
from tests.support.keys import SigningKey
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint, rfc9068_claims

ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
RULES = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: "* /admin/*"
    deny: true
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return path


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer, rules_file: Path) -> JwksServer:
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("AUDIENCE", AUDIENCE)
    monkeypatch.setenv("JWKS_URI", jwks_server.url)
    monkeypatch.setenv("RULES_FILE", str(rules_file))
    return jwks_server


def event(token: str | None, method: str = "GET", path: str = "/hello") -> dict:
    result = {"type": "TOKEN", "methodArn": f"{ARN_PREFIX}/{method}{path}"}
    if token is not None:
        result["authorizationToken"] = f"Bearer {token}"
    return result


def invoke(evt: dict) -> dict:
    return app.lambda_handler(evt, FakeLambdaContext())


def test_valid_token_gets_principal_policy_and_string_context(configured: JwksServer, signing_key: SigningKey) -> None:
    response = invoke(event(mint(signing_key, auth0_claims(scope="read:hello read:orders"))))
    assert response["principalId"] == "client-abc@clients"
    assert response["context"] == {
        "scope": "read:hello read:orders",
        "client_id": "client-abc",
        "token_profile": "auth0",
        "rules_digest": response["context"]["rules_digest"],
        "issuer": ISSUER,
    }
    assert all(isinstance(v, str) for v in response["context"].values())
    document = response["policyDocument"]
    assert evaluate_policy(document, f"{ARN_PREFIX}/GET/hello") is Verdict.ALLOW
    assert evaluate_policy(document, f"{ARN_PREFIX}/DELETE/orders/7") is Verdict.ALLOW
    # denied: the compact policy needs no Deny for /admin/*, which no allowed route reaches
    assert evaluate_policy(document, f"{ARN_PREFIX}/GET/admin/x") is Verdict.IMPLICIT_DENY


def test_rfc9068_token_reports_client_id_claim(configured: JwksServer, signing_key: SigningKey) -> None:
    response = invoke(event(mint(signing_key, rfc9068_claims(), typ="at+jwt")))
    assert (response["context"]["client_id"], response["context"]["token_profile"]) == ("client-abc", "rfc9068")


def test_missing_scope_returns_a_policy_that_denies_this_route(configured: JwksServer, signing_key: SigningKey) -> None:
    response = invoke(event(mint(signing_key, auth0_claims(scope="read:orders"))))
    # no allowed route reaches /hello, so the compact policy denies it by holding no Allow for it
    assert evaluate_policy(response["policyDocument"], f"{ARN_PREFIX}/GET/hello") is Verdict.IMPLICIT_DENY


def test_token_without_scope_gets_empty_scope_context(configured: JwksServer, signing_key: SigningKey) -> None:
    claims = auth0_claims()
    del claims["scope"]
    response = invoke(event(mint(signing_key, claims)))
    assert response["context"]["scope"] == ""
    assert evaluate_policy(response["policyDocument"], f"{ARN_PREFIX}/GET/hello") is not Verdict.ALLOW


def test_thousand_decisions_with_fresh_tokens_fetch_the_jwks_once(configured: JwksServer, signing_key: SigningKey) -> None:
    tokens = [mint(signing_key, auth0_claims(jti=str(i))) for i in range(1000)]
    allowed = sum(
        evaluate_policy(invoke(event(t))["policyDocument"], f"{ARN_PREFIX}/GET/hello") is Verdict.ALLOW for t in tokens
    )
    assert (allowed, configured.requests) == (1000, 1)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic abc", "bearer  x.y.z", "Bearer x.y.z", "Bearer a.b.c ", "Token abc"],
)
def test_bad_authorization_values_are_unauthorized(configured: JwksServer, authorization: str | None) -> None:
    evt = {"type": "TOKEN", "methodArn": f"{ARN_PREFIX}/GET/hello"}
    if authorization is not None:
        evt["authorizationToken"] = authorization
    with pytest.raises(Exception) as raised:
        invoke(evt)
    assert (type(raised.value), str(raised.value)) == (Exception, "Unauthorized")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "BeArEr"])
def test_the_bearer_scheme_is_case_insensitive(configured: JwksServer, signing_key: SigningKey, scheme: str) -> None:
    # GIVEN a valid token under the scheme in any case (RFC 7235 section 2.1)
    evt = event(None)
    evt["authorizationToken"] = f"{scheme} {mint(signing_key, auth0_claims(scope='read:hello'))}"
    # THEN it is verified and decided like any other
    response = invoke(evt)
    assert evaluate_policy(response["policyDocument"], f"{ARN_PREFIX}/GET/hello") is Verdict.ALLOW


@pytest.mark.parametrize(
    "template",
    ["Basic {t}", "Token {t}", "Bearer  {t}", "BEARER  {t}", "bearer {t} ", "Bearer\t{t}", " Bearer {t}", "{t}",
     "Bearer {t} {t}", "Bearers {t}", "Bearer"],
)
def test_a_valid_token_in_a_malformed_authorization_value_is_unauthorized(
    configured: JwksServer, signing_key: SigningKey, template: str
) -> None:
    # GIVEN a token that would be allowed, sent under another scheme, with stray spaces, or without one
    evt = event(None)
    evt["authorizationToken"] = template.format(t=mint(signing_key, auth0_claims(scope="read:hello")))
    with pytest.raises(Exception) as raised:
        invoke(evt)
    assert (type(raised.value), str(raised.value)) == (Exception, "Unauthorized")


def test_expired_token_is_unauthorized_even_after_it_was_cached(configured: JwksServer, signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(exp=int(time.time()) + 2))
    invoke(event(token))
    engine = app.current_engine()
    engine.wall_clock = lambda: time.time() + 60
    with pytest.raises(Exception, match="^Unauthorized$"):
        invoke(event(token))


def test_unknown_kid_is_unauthorized(configured: JwksServer, other_key: SigningKey) -> None:
    with pytest.raises(Exception, match="^Unauthorized$"):
        invoke(event(mint(other_key)))


def test_jwks_outage_at_cold_start_is_a_500_never_an_allow(configured: JwksServer, signing_key: SigningKey) -> None:
    configured.serve(Answer(status=503, body=b"down"))
    with pytest.raises(app.AuthorizerFailure, match="jwks_http_error"):
        invoke(event(mint(signing_key)))


def test_broken_rules_file_is_a_500(configured: JwksServer, signing_key: SigningKey, rules_file: Path) -> None:
    rules_file.write_text("version: 1\nrules:\n  - route: GET /a\n    scope: [x]\n")
    with pytest.raises(app.AuthorizerFailure, match="rules_invalid"):
        invoke(event(mint(signing_key)))


def test_broken_configuration_is_a_500(monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey) -> None:
    monkeypatch.delenv("TOKEN_ISSUER", raising=False)
    monkeypatch.delenv("AUDIENCE", raising=False)
    with pytest.raises(app.AuthorizerFailure, match="config_invalid"):
        invoke(event(mint(signing_key)))


def test_a_cold_start_surprise_is_a_kept_500_with_its_decision_line(
    configured: JwksServer, signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch, log_lines
) -> None:
    # GIVEN a cold start that raises outside the error tree (fault injection: a bug in a library)
    calls = []

    def surprise(env):
        calls.append(1)
        raise ValueError("Invalid IPv6 URL")

    monkeypatch.setattr(app, "read_settings", surprise)
    # WHEN two invocations arrive THEN both are 500s, the container keeps the fault (one attempt)
    for _ in range(2):
        with pytest.raises(app.AuthorizerFailure, match="internal_error"):
            invoke(event(mint(signing_key)))
    assert len(calls) == 1
    # AND the failure is logged once, and each invocation has its decision line
    records = log_lines.records()
    failed = [r for r in records if r["message"] == "cold start failed"]
    assert [r["problem"] for r in failed] == ["cold start failed: ValueError: Invalid IPv6 URL"]
    assert [(d["outcome"], d["reason"]) for d in log_lines.decisions()] == [("error", "internal_error")] * 2


@pytest.mark.parametrize(
    "evt",
    [
        {"type": "REQUEST", "methodArn": f"{ARN_PREFIX}/GET/hello", "authorizationToken": "Bearer x"},
        {"type": "TOKEN", "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:*/Dev/GET/x", "authorizationToken": "Bearer x"},
        {"type": "TOKEN", "authorizationToken": "Bearer x"},
    ],
)
def test_events_api_gateway_never_sends_are_500(configured: JwksServer, evt: dict) -> None:
    with pytest.raises(app.AuthorizerFailure):
        invoke(evt)


def test_decision_log_has_one_safe_line_per_invocation(
    configured: JwksServer, signing_key: SigningKey, log_lines
) -> None:
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    invoke(event(token))
    invoke(event(token, path="/orders/1"))
    with pytest.raises(Exception, match="^Unauthorized$"):
        invoke(event(token + "x"))
    output = "\n".join(log_lines.lines)
    decisions = log_lines.decisions()
    assert [(d["outcome"], d["reason"]) for d in decisions] == [
        ("deny", "insufficient_scope"),
        ("allow", "allowed"),
        ("unauthorized", "malformed_token"),
    ]
    assert decisions[0]["missing_scopes"] == ["read:hello"] and decisions[0]["rule_ids"] == ["GET /hello"]
    assert (decisions[0]["token_cached"], decisions[1]["token_cached"]) == (False, True)
    assert (decisions[0]["policy_cached"], decisions[1]["policy_cached"]) == (False, True)
    assert decisions[0]["token_fingerprint"] == decisions[1]["token_fingerprint"]
    assert token not in output and token.split(".")[1] not in output
