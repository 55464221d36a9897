"""authorizer.app: a path crafted against a rule with ``?`` is decided at once (issue 18).

Before the fix a glob with ``?`` was matched by a backtracking regex, one ``.*`` per ``*`` or
``{param}``: a token holding any scope denied ``GET /v1/`` plus 400 slashes in 7 s, 800 slashes in
110 s, and the three-parameter rule with 1,500 slashes in 3.6 s. The calls below go through the
handler with the four-parameter rules live and the three-parameter ones as shadow rules, and the
returned policy is evaluated on the methodArn as the local gateway does. The bound is generous (the fixed matcher needs well under a
millisecond); it is there to catch a return to super-linear matching, not to measure.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from authorizer import app
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.support.jwks_server import JwksServer
from tests.support.keys import SigningKey
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
HELLO = "  - route: GET /hello\n    scopes: [read:hello]\n"
FOUR_PARAMETERS = "version: 1\nrules:\n" + HELLO + "  - route: GET /v?/{a}/{b}/{c}/{d}/export\n    scopes: [export]\n"
THREE_PARAMETERS = "version: 1\nrules:\n" + HELLO + "  - route: GET /v?/{a}/{b}/{c}/export\n    scopes: [export]\n"
SECONDS_ALLOWED = 2.0


@pytest.fixture
def handler_with_shadow_rules(
    monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer, tmp_path: Path
) -> None:
    live, shadow = tmp_path / "rules.yaml", tmp_path / "candidate.yaml"
    live.write_text(FOUR_PARAMETERS)
    shadow.write_text(THREE_PARAMETERS)
    for name, value in {
        "TOKEN_ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "JWKS_URI": jwks_server.url,
        "RULES_FILE": str(live),
        "SHADOW_RULES_FILE": str(shadow),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("slashes", [400, 800, 1500])
def test_a_path_of_slashes_against_question_mark_rules_is_denied_within_the_bound(
    handler_with_shadow_rules: None, signing_key: SigningKey, log_lines, slashes: int
) -> None:
    # GIVEN a warm container and a token holding only read:hello
    token = mint(signing_key, auth0_claims(scope="read:hello"))
    app.lambda_handler(
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": f"{ARN}/GET/hello"},
        FakeLambdaContext(),
    )
    method_arn = f"{ARN}/GET/v1/" + "/" * slashes
    # WHEN it calls GET /v1/ followed by the slashes
    started = time.perf_counter()
    response = app.lambda_handler(
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": method_arn},
        FakeLambdaContext(),
    )
    verdict = evaluate_policy(response["policyDocument"], method_arn)
    elapsed = time.perf_counter() - started
    # THEN live and shadow rules deny it (no rule matches), so does the policy, within the bound
    decision = log_lines.decisions()[-1]
    assert (decision["outcome"], decision["reason"]) == ("deny", "no_matching_rule")
    assert (decision["shadow"]["outcome"], decision["shadow"]["reason"]) == ("deny", "no_matching_rule")
    assert verdict is Verdict.IMPLICIT_DENY
    assert elapsed < SECONDS_ALLOWED
