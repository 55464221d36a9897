"""authorizer.app, operations: decision reasons, EMF output, shadow rules and tracing."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from authorizer import app
from tests.conftest import REPO_ROOT
from tests.support.jwks_server import Answer, JwksServer
from tests.support.keys import SigningKey
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
LIVE = "version: 1\nrules:\n  - route: GET /orders/*\n    any_scopes: [read:orders, admin]\n"
CANDIDATE = "version: 1\nrules:\n  - route: GET /orders/*\n    scopes: [admin]\n"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer, tmp_path: Path) -> Path:
    rules = tmp_path / "rules.yaml"
    rules.write_text(LIVE)
    for name, value in {
        "TOKEN_ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "JWKS_URI": jwks_server.url,
        "RULES_FILE": str(rules),
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def call(token: str, path: str = "/orders/1") -> dict | None:
    try:
        return app.lambda_handler(
            {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": f"{ARN}/GET{path}"},
            FakeLambdaContext(),
        )
    except Exception:  # noqa: BLE001 - the decision log says what happened
        return None


@pytest.mark.parametrize(
    "make_token, reason",
    [
        (lambda k, o: mint(k, auth0_claims(scope="read:orders")), "allowed"),
        (lambda k, o: mint(k, auth0_claims(scope="write:orders")), "insufficient_scope"),
        (lambda k, o: mint(k, auth0_claims(exp=int(time.time()) - 3600)), "token_expired"),
        (lambda k, o: mint(k, auth0_claims(nbf=int(time.time()) + 3600)), "token_not_yet_valid"),
        (lambda k, o: mint(SigningKey(k.kid, o.private_key)), "bad_signature"),
        (lambda k, o: mint(o), "unknown_kid"),
        (lambda k, o: mint(k, auth0_claims(iss="https://evil.example/")), "unknown_issuer"),
        (lambda k, o: mint(k, auth0_claims(aud="https://other")), "wrong_audience"),
        (lambda k, o: mint(k, alg="PS256"), "alg_not_allowed"),
        (lambda k, o: mint(k, typ="id+jwt"), "wrong_token_type"),
        (lambda k, o: mint(k, headers={"jku": "https://evil.example"}), "forbidden_header"),
        (lambda k, o: mint(k, auth0_claims(exp="9999999999")), "invalid_claim"),
        (lambda k, o: mint(k, auth0_claims(sub=None)), "missing_claim"),
        (lambda k, o: "x" * 9000, "token_too_large"),
        (lambda k, o: "not-a-jwt", "malformed_token"),
    ],
)
def test_each_outcome_is_logged_with_its_reason(
    environment: Path, signing_key: SigningKey, other_key: SigningKey, log_lines, make_token, reason: str
) -> None:
    call(make_token(signing_key, other_key))
    (decision,) = log_lines.decisions()
    expected_outcome = {"allowed": "allow", "insufficient_scope": "deny"}.get(reason, "unauthorized")
    assert (decision["outcome"], decision["reason"]) == (expected_outcome, reason)
    assert decision["decision_id"].startswith("req-") and isinstance(decision["latency_us"], int)
    assert (decision["method"], decision["path"], decision["stage"]) == ("GET", "/orders/1", "Dev")


def test_jwks_outage_is_logged_as_an_error_with_its_reason(environment: Path, jwks_server: JwksServer, signing_key: SigningKey, log_lines) -> None:
    jwks_server.serve(Answer(status=503))
    assert call(mint(signing_key)) is None
    (decision,) = log_lines.decisions()
    assert (decision["outcome"], decision["reason"], decision["level"]) == ("error", "jwks_http_error", "ERROR")


def test_allow_line_names_principal_rules_and_caches(environment: Path, signing_key: SigningKey, log_lines) -> None:
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    call(token)
    call(token, "/orders/2")
    first, second = log_lines.decisions()
    assert {k: first[k] for k in ("principal", "client_id", "issuer", "rule_ids", "cold_start", "jwks_cached")} == {
        "principal": "client-abc@clients",
        "client_id": "client-abc",
        "issuer": ISSUER,
        "rule_ids": ["GET /orders/*"],
        "cold_start": True,
        "jwks_cached": False,
    }
    assert (second["cold_start"], second["jwks_cached"], second["token_cached"], second["policy_cached"]) == (
        False, True, True, True,
    )


def test_decision_line_carries_its_emf_metrics_and_jwks_fetches_get_their_own(
    environment: Path, signing_key: SigningKey, log_lines, capsys: pytest.CaptureFixture[str]
) -> None:
    call(mint(signing_key, auth0_claims(scope="read:orders")))
    (fetch,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert (fetch["result"], fetch["trigger"], fetch["JwksFetches"]) == ("ok", "initial", [1.0])
    (decision,) = log_lines.decisions()
    directive = decision["_aws"]["CloudWatchMetrics"][0]
    assert (directive["Namespace"], directive["Dimensions"]) == ("scopegate", [["outcome", "reason", "service"]])
    assert (decision["outcome"], decision["reason"], decision["Decisions"], decision["ColdStarts"]) == (
        "allow", "allowed", [1.0], [1.0],
    )
    assert decision["DecisionLatency"] == [float(decision["latency_us"])]


def test_metrics_survive_a_log_level_that_filters_the_decision_line(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN decision lines filtered out by the log level
    from authorizer.app import logger

    logging.getLogger(logger.name).setLevel(logging.WARNING)
    try:
        call(mint(signing_key, auth0_claims(scope="read:orders")))
    finally:
        logging.getLogger(logger.name).setLevel(logging.INFO)
    # THEN the decision's metrics are still written, as their own EMF document
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [d.get("Decisions") for d in documents] == [None, [1.0]]


def test_shadow_rules_log_and_count_disagreements_without_enforcing(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey, log_lines, capsys
) -> None:
    # GIVEN a candidate that tightens GET /orders/* to admin only
    candidate = environment / "candidate.yaml"
    candidate.write_text(CANDIDATE)
    monkeypatch.setenv("SHADOW_RULES_FILE", str(candidate))
    # WHEN a read:orders client calls, and an admin calls
    reader = call(mint(signing_key, auth0_claims(scope="read:orders")))
    admin = call(mint(signing_key, auth0_claims(scope="admin")))
    # THEN live decisions are unchanged and only the reader's call is a disagreement
    assert reader is not None and admin is not None
    records = log_lines.records()
    disagreements = [r for r in records if r["message"] == "shadow disagreement"]
    assert [(d["client_id"], d["live_outcome"], d["shadow_outcome"], d["live_rule_ids"], d["shadow_rule_ids"]) for d in disagreements] == [
        ("client-abc", "allow", "deny", ["GET /orders/*"], ["GET /orders/*"])
    ]
    assert [d["shadow"]["agrees"] for d in log_lines.decisions()] == [False, True]
    assert [d["ShadowDisagreements"] for d in log_lines.decisions()] == [[1.0], [0.0]]


def test_invalid_shadow_rules_are_reported_once_and_never_affect_live(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey, log_lines
) -> None:
    broken = environment / "candidate.yaml"
    broken.write_text("version: 1\nrules:\n  - route: GET /orders/*\n    scope: [admin]\n")
    monkeypatch.setenv("SHADOW_RULES_FILE", str(broken))
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    assert call(token) is not None and call(token) is not None
    warnings = [r for r in log_lines.records() if r.get("reason") == "shadow_rules_invalid"]
    assert len(warnings) == 1 and "candidate.yaml:4" in warnings[0]["problem"]
    assert [d["outcome"] for d in log_lines.decisions()] == ["allow", "allow"]


@pytest.mark.parametrize("tracing, imported", [("", "False"), ("true", "True")])
def test_xray_is_imported_only_when_tracing_is_switched_on(tmp_path: Path, tracing: str, imported: str) -> None:
    # GIVEN a fresh process (a cold start), with or without TRACING_ENABLED
    rules = tmp_path / "rules.yaml"
    rules.write_text(LIVE)
    script = (
        "import sys\n"
        "from authorizer import app\n"
        "try:\n"
        f"    app.lambda_handler({{'type': 'TOKEN', 'authorizationToken': 'Bearer x.y.z', 'methodArn': '{ARN}/GET/orders/1'}}, None)\n"
        "except Exception as error:\n"
        "    print(error, 'aws_xray_sdk' in sys.modules)\n"
    )
    env = {"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "RULES_FILE": str(rules), "TRACING_ENABLED": tracing,
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"}
    # WHEN it decides on a malformed token
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    # THEN it answers Unauthorized, and the X-Ray SDK was loaded only if tracing is on
    assert out.stdout.strip() == f"Unauthorized {imported}", out.stderr[-500:]


def test_tracing_when_switched_on_wraps_the_handler_and_decides_the_same(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey
) -> None:
    monkeypatch.setenv("TRACING_ENABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon here: the SDK records nothing
    response = call(mint(signing_key, auth0_claims(scope="read:orders")))
    assert response is not None and response["principalId"] == "client-abc@clients"
    assert app._container.traced is not None
    assert "aws_xray_sdk" in sys.modules


def test_a_repeated_token_reuses_its_answer_per_route_and_never_across_routes(
    environment: Path, signing_key: SigningKey, log_lines
) -> None:
    # GIVEN rules that allow GET /orders/* only, and one token asked about two routes twice
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    first = call(token)
    untouched = json.loads(json.dumps(first["policyDocument"]))
    first["context"]["scope"] = "tampered by a caller"  # the caller's copy only
    first["policyDocument"]["Statement"][0]["Resource"].append(f"{ARN}/*/*")
    first["policyDocument"]["Statement"].append({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"})
    other = call(token, "/admin/1")  # no rule: denied
    again = call(token)
    other_again = call(token, "/admin/1")
    # THEN each route keeps its own decision, and every answer is the rules' answer
    assert again["context"]["scope"] == "read:orders"
    assert again["policyDocument"] == other["policyDocument"] == other_again["policyDocument"] == untouched
    lines = log_lines.decisions()
    assert [(d["path"], d["outcome"], d["reason"]) for d in lines] == [
        ("/orders/1", "allow", "allowed"), ("/admin/1", "deny", "no_matching_rule"),
        ("/orders/1", "allow", "allowed"), ("/admin/1", "deny", "no_matching_rule"),
    ]
    assert [(d["token_cached"], d["policy_cached"]) for d in lines] == [
        (False, False), (True, True), (True, True), (True, True),
    ]


def test_the_answers_remembered_per_token_are_bounded(environment: Path, signing_key: SigningKey) -> None:
    from authorizer.remembered_token import MAX_REMEMBERED_ARN_CHARS, MAX_ROUTES_PER_TOKEN

    # GIVEN one token sprayed over many distinct paths, and one very long path
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    for n in range(MAX_ROUTES_PER_TOKEN + 10):
        assert call(token, f"/orders/{n}") is not None
    long_path = "/orders/" + "x" * MAX_REMEMBERED_ARN_CHARS
    assert call(token, long_path) is not None
    # THEN the token remembers at most MAX_ROUTES_PER_TOKEN answers, and never a long methodArn
    (remembered,) = app.current_engine().tokens.values()
    assert len(remembered.answers) == MAX_ROUTES_PER_TOKEN
    assert all(len(arn) <= MAX_REMEMBERED_ARN_CHARS for arn, _ in remembered.answers)


def test_a_remembered_answer_ends_with_its_token(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey, log_lines
) -> None:
    # GIVEN a token that expires in 40 s, answered once on a route
    token = mint(signing_key, auth0_claims(scope="read:orders", exp=int(time.time()) + 40))
    assert call(token) is not None
    # WHEN the clock passes its exp plus the leeway THEN the same route gets 401, not the memo
    engine = app.current_engine()
    monkeypatch.setattr(engine, "wall_clock", lambda: time.time() + 40 + 31)
    assert call(token) is None
    assert [d["reason"] for d in log_lines.decisions()] == ["allowed", "token_expired"]


def test_a_token_holds_one_policy_per_api_stage_even_when_the_policy_memo_evicts(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey
) -> None:
    # GIVEN a policy memo of one entry, and two tokens with different scopes taking turns
    monkeypatch.setenv("POLICY_CACHE_SIZE", "1")
    reader = mint(signing_key, auth0_claims(scope="read:orders", jti="r"))
    admin = mint(signing_key, auth0_claims(scope="admin", jti="a"))
    for n in range(6):
        call(reader, f"/orders/{n}")
        call(admin, f"/orders/{n}")
    # THEN each token's remembered answers share one policy document (not one per route)
    for remembered in app.current_engine().tokens.values():
        assert len(remembered.answers) == 6
        assert len({id(answer.document) for answer in remembered.answers.values()}) == 1


def test_client_credentials_only_refuses_a_user_token_with_its_reason(
    environment: Path, monkeypatch: pytest.MonkeyPatch, signing_key: SigningKey, log_lines
) -> None:
    # GIVEN an authorizer that accepts client-credentials tokens only
    monkeypatch.setenv("CLIENT_CREDENTIALS_ONLY", "true")
    m2m = mint(signing_key, auth0_claims(scope="read:orders"))
    user = mint(signing_key, auth0_claims(scope="read:orders", sub="auth0|user-1", gty=None))
    # WHEN both call THEN the M2M token is allowed and the user token is refused (401)
    assert call(m2m) is not None and call(user) is None
    assert [(d["outcome"], d["reason"]) for d in log_lines.decisions()] == [
        ("allow", "allowed"), ("unauthorized", "not_client_credentials"),
    ]
