"""The JWT attack catalogue (jwt-auth0.md §4, RFC 8725 §2) played through the real handler.

Each case builds a request a client could send; :func:`run_attacks` sends it
through ``authorizer.app.lambda_handler`` (a real JWKS server on 127.0.0.1
publishing the real key and a 1024-bit key) and returns the outcome and the
decision log's reason. An attacker's own JWKS server stands by for
``jku``/``x5u``: it must never be asked. Used by test_attacks.py (asserts)
and bench/security_report.py (the table in docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from authorizer import app
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.conftest import LogLines
from tests.fault.jwks_scenarios import configured_handler
from tests.support.jwks_server import running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import DROP, auth0_claims, b64, mint, raw_token, resign

ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"


@dataclass(frozen=True)
class AttackKeys:
    real: SigningKey
    attacker: SigningKey
    weak: SigningKey
    attacker_jwks_url: str


@dataclass(frozen=True)
class Attack:
    name: str
    authorization: Callable[[AttackKeys], str]
    expect: tuple[str, str]  # (outcome, decision-log reason)
    path: str = "/hello"


def _bearer(token: str) -> str:
    return f"Bearer {token}"


def _hs256_with_public_key(k: AttackKeys) -> str:
    pem = k.real.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': k.real.kid}).encode())}." \
                    f"{b64(json.dumps(auth0_claims()).encode())}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return _bearer(f"{signing_input}.{b64(signature)}")


def _signed_text(k: AttackKeys, payload_text: str, key: SigningKey | None = None) -> str:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": k.real.kid}).encode())
    return _bearer(resign(key or k.real, header, b64(payload_text.encode())))


def _with_header(name: str, value: Callable[[AttackKeys], object]) -> Callable[[AttackKeys], str]:
    return lambda k: _bearer(mint(k.attacker, headers={"kid": k.real.kid, name: value(k)}))


ATTACKS: tuple[Attack, ...] = (
    Attack("alg none, no signature", lambda k: _bearer(raw_token({"alg": "none", "typ": "JWT", "kid": k.real.kid},
                                                                 auth0_claims(), b"")), ("401", "alg_not_allowed")),
    Attack("HS256 signed with the RSA public key as HMAC secret", _hs256_with_public_key, ("401", "alg_not_allowed")),
    Attack("signed by the attacker's key under the real kid",
           lambda k: _bearer(mint(SigningKey(k.real.kid, k.attacker.private_key))), ("401", "bad_signature")),
    Attack("real signature, payload changed (scope escalation)",
           lambda k: _bearer(".".join([mint(k.real).split(".")[0], b64(json.dumps(auth0_claims(scope="admin")).encode()),
                                       mint(k.real).split(".")[2]])), ("401", "bad_signature")),
    Attack("signature stripped", lambda k: _bearer(mint(k.real).rsplit(".", 1)[0] + "."), ("401", "malformed_token")),
    Attack("jku: the attacker's JWKS", _with_header("jku", lambda k: k.attacker_jwks_url), ("401", "forbidden_header")),
    Attack("x5u: the attacker's certificate URL", _with_header("x5u", lambda k: k.attacker_jwks_url),
           ("401", "forbidden_header")),
    Attack("jwk: the attacker's key embedded", _with_header("jwk", lambda k: k.attacker.jwk()), ("401", "forbidden_header")),
    Attack("x5c: a certificate chain embedded", _with_header("x5c", lambda k: ["MIIB"]), ("401", "forbidden_header")),
    Attack("crit: must-understand extension", _with_header("crit", lambda k: ["exp"]), ("401", "forbidden_header")),
    Attack("b64: false (unencoded payload)", _with_header("b64", lambda k: False), ("401", "forbidden_header")),
    Attack("cty: JWT (nested token)", _with_header("cty", lambda k: "JWT"), ("401", "forbidden_header")),
    Attack("kid path traversal", lambda k: _bearer(mint(k.attacker, headers={"kid": "../../../../dev/null"})),
           ("401", "unknown_kid")),
    Attack("kid SQL injection", lambda k: _bearer(mint(k.attacker, headers={"kid": "' OR '1'='1"})), ("401", "unknown_kid")),
    Attack("kid of 300 characters", lambda k: _bearer(mint(k.attacker, headers={"kid": "k" * 300})),
           ("401", "malformed_token")),
    Attack("weak key: 1024-bit RSA key published in the JWKS", lambda k: _bearer(mint(k.weak)), ("401", "unknown_kid")),
    Attack("typ confusion: dpop+jwt", lambda k: _bearer(mint(k.real, typ="dpop+jwt")), ("401", "wrong_token_type")),
    Attack("typ missing", lambda k: _bearer(mint(k.real, typ=None)), ("401", "wrong_token_type")),
    Attack("audience of another API (token substitution)", lambda k: _bearer(mint(k.real, auth0_claims(aud="https://other"))),
           ("401", "wrong_audience")),
    Attack("ID token for a client (aud = client id)", lambda k: _bearer(mint(k.real, auth0_claims(aud="client-abc"))),
           ("401", "wrong_audience")),
    Attack("issuer without Auth0's trailing slash",
           lambda k: _bearer(mint(k.real, auth0_claims(iss="https://tenant.example.auth0.com"))), ("401", "unknown_issuer")),
    Attack("expired token", lambda k: _bearer(mint(k.real, auth0_claims(exp=int(time.time()) - 3600))),
           ("401", "token_expired")),
    Attack("no exp", lambda k: _bearer(mint(k.real, auth0_claims(exp=DROP))), ("401", "missing_claim")),
    Attack("exp as a string", lambda k: _bearer(mint(k.real, auth0_claims(exp=str(int(time.time()) + 3600)))),
           ("401", "invalid_claim")),
    Attack("exp as true", lambda k: _bearer(mint(k.real, auth0_claims(exp=True))), ("401", "invalid_claim")),
    Attack("duplicate JSON member (sub twice)",
           lambda k: _signed_text(k, json.dumps(auth0_claims())[:-1] + ', "sub": "admin@clients"}'),
           ("401", "malformed_token")),
    Attack("NaN in a claim", lambda k: _signed_text(k, json.dumps(auth0_claims())[:-1] + ', "x": NaN}'),
           ("401", "malformed_token")),
    Attack("forged payload nested 2,500 levels deep",
           lambda k: _signed_text(k, json.dumps(auth0_claims())[:-1] + ', "x": ' + "[" * 2500 + "]" * 2500 + "}",
                                  SigningKey(k.real.kid, k.attacker.private_key)), ("401", "bad_signature")),
    Attack("token of 9,000 bytes", lambda k: _bearer(mint(k.real, auth0_claims(pad="p" * 9000))),
           ("401", "token_too_large")),
    Attack("padded base64url", lambda k: _bearer(mint(k.real).replace(".", "==.", 1)), ("401", "malformed_token")),
    Attack("scope holding a quote", lambda k: _bearer(mint(k.real, auth0_claims(scope='read:hello "admin"'))),
           ("401", "invalid_claim")),
    Attack("more than 256 scopes", lambda k: _bearer(mint(k.real, auth0_claims(scope=" ".join(f"s{i}" for i in range(300))))),
           ("401", "invalid_claim")),
    Attack("request path '/*' (a glob in the client's path)", lambda k: _bearer(mint(k.real)), ("deny", "no_matching_rule"),
           path="/*"),
    Attack("request path '/hello/../admin'", lambda k: _bearer(mint(k.real)), ("deny", "no_matching_rule"),
           path="/hello/../admin"),
    Attack("valid token (control)", lambda k: _bearer(mint(k.real)), ("allow", "allowed")),
)


@dataclass(frozen=True)
class AttackResult:
    outcome: str
    reason: str
    seconds: float


def _send(authorization: str, path: str, log: LogLines) -> AttackResult:
    arn = f"{ARN_PREFIX}/GET{path}"
    event = {"type": "TOKEN", "methodArn": arn, "authorizationToken": authorization}
    log.lines.clear()
    started = time.perf_counter()
    try:
        response = app.lambda_handler(event, FakeLambdaContext())
        verdict = evaluate_policy(response["policyDocument"], arn)
        outcome = "allow" if verdict is Verdict.ALLOW else "deny"
    except Exception as error:  # noqa: BLE001 - the exact type and message tell 401 from 500
        outcome = "401" if (type(error), str(error)) == (Exception, "Unauthorized") else "500"
    seconds = time.perf_counter() - started
    return AttackResult(outcome, log.decisions()[-1]["reason"], seconds)


def run_attacks(rules_dir: Path) -> tuple[dict[str, AttackResult], int]:
    """Every attack's result, and how many requests the attacker's JWKS server received."""
    real, attacker, weak = rsa_key("key-1"), rsa_key("attacker"), rsa_key("weak", 1024)
    log = LogLines()
    logger = logging.getLogger(app.logger.name)
    logger.addHandler(log)
    try:
        with running_jwks_server() as server, running_jwks_server() as attackers:
            server.serve_keys(real.jwk(), weak.jwk())
            attackers.serve_keys(attacker.jwk())
            keys = AttackKeys(real, attacker, weak, attackers.url)
            with configured_handler(server.url, rules_dir):
                results = {a.name: _send(a.authorization(keys), a.path, log) for a in ATTACKS}
            return results, attackers.requests
    finally:
        logger.removeHandler(log)
