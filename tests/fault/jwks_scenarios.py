"""The JWKS fault matrix: scenarios played through the real handler against a real JWKS server.

Each :class:`Scenario` is a sequence of steps. A step may change what the
JWKS server on 127.0.0.1 answers, move the JWKS cache's clock, and then send
one or more tokens through ``authorizer.app.lambda_handler`` (configured from
the environment as in Lambda). The tests (test_jwks_faults.py) assert each
step's outcome and how many requests reached the server; the security report
(bench/security_report.py) plays the same scenarios and records the worst
decision latency. Timings are never asserted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from authorizer import app
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.support.container import new_container
from tests.support.jwks_server import Answer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/hello"
RULES = "version: 1\nrules:\n  - route: GET /hello\n    scopes: [read:hello]\n"
TTL = 600  # JWKS_CACHE_TTL_SECONDS (default)
MAX_STALE = 21600  # JWKS_MAX_STALE_SECONDS (default)
COOLDOWN = 30  # JWKS_UNKNOWN_KID_COOLDOWN_SECONDS (default)
ENV = {"JWKS_TIMEOUT_SECONDS": "1", "TOKEN_ALGORITHMS": "RS256,PS256"}


@dataclass(frozen=True)
class Keys:
    current: SigningKey
    next: SigningKey
    attacker: SigningKey


def keys() -> Keys:
    return Keys(rsa_key("key-1"), rsa_key("key-next"), rsa_key("attacker"))


def keys_document(*jwks: dict) -> Answer:
    return Answer(body=json.dumps({"keys": list(jwks)}).encode())


@dataclass(frozen=True)
class Step:
    """Serve ``serve`` (if given), advance the cache clock, then send ``count`` tokens of ``kid``."""

    expect: str  # "allow", "401" or "500"
    kid: str = "current"  # current | next | forged (a new unknown kid per token) | impostor (attacker, current kid)
    count: int = 1
    serve: Callable[[Keys, str], Answer] | None = None  # (keys, url of a second server) -> answer
    advance_seconds: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    requests: int  # requests that reach the JWKS server over the whole scenario


@dataclass
class ScenarioResult:
    outcomes: list[str] = field(default_factory=list)  # one per step: the outcome of every token, if all agree
    requests: int = 0
    other_server_requests: int = 0
    worst_seconds: float = 0.0
    decisions: int = 0


def _current_only(k: Keys, _: str) -> Answer:
    return keys_document(k.current.jwk())


def _second_modulus(k: Keys, _: str) -> Answer:
    """The current key with a second ``n`` after its own: the attacker's (a last-wins reader's key)."""
    jwk = json.dumps(k.current.jwk())
    return Answer(body=('{"keys": [' + jwk[:-1] + ', "n": "' + k.attacker.jwk()["n"] + '"}]}').encode())


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("healthy endpoint (baseline)", (Step("allow", count=3),), 1),
    Scenario("timeout: no status line within the deadline",
             (Step("500", serve=lambda k, _: Answer(delay_seconds=1.5)), Step("500")), 1),
    Scenario("slow body: trickled past the deadline",
             (Step("500", serve=lambda k, _: Answer(
                 body=json.dumps({"keys": [k.current.jwk()]}).encode() + b" " * 2000, trickle_seconds=0.05)),), 1),
    Scenario("HTTP 503 at cold start, retried after the backoff",
             (Step("500", serve=lambda k, _: Answer(status=503, body=b"down")), Step("500"),
              Step("allow", serve=_current_only, advance_seconds=5)), 2),
    Scenario("HTTP 500 after warm start: stale keys serve, then expire",
             (Step("allow"), Step("allow", serve=lambda k, _: Answer(status=500, body=b"boom"), advance_seconds=TTL),
              Step("allow", advance_seconds=1), Step("500", advance_seconds=MAX_STALE)), 3),
    Scenario("connection dropped", (Step("500", serve=lambda k, _: Answer(drop_connection=True)),), 1),
    Scenario("invalid JSON", (Step("500", serve=lambda k, _: Answer(body=b"{not json")),), 1),
    Scenario("JSON without keys", (Step("500", serve=lambda k, _: Answer(body=b'{"keys_v2": []}')),), 1),
    Scenario("keys is not a list", (Step("500", serve=lambda k, _: Answer(body=b'{"keys": {}}')),), 1),
    Scenario("huge response (1 MiB)",
             (Step("500", serve=lambda k, _: Answer(body=b'{"keys": [' + b" " * (1 << 20) + b"]}")),), 1),
    Scenario("redirect to another JWKS server (not followed)",
             (Step("500", serve=lambda k, url: Answer(status=302, headers={"Location": url})),), 1),
    # a set with no usable key is the issuer's (or our configuration's) fault: 500, one request
    # (the second decision falls in the retry backoff)
    Scenario("empty key set", (Step("500", count=2, serve=lambda k, _: keys_document()),), 1),
    Scenario("keys of the wrong type only (EC, oct)",
             (Step("500", count=2, serve=lambda k, _: keys_document(
                 {"kty": "EC", "kid": k.current.kid, "crv": "P-256", "x": "AA", "y": "AA"},
                 {"kty": "oct", "kid": k.current.kid, "k": "c2VjcmV0"})),), 1),
    # beside a usable key: the token's own key is skipped, so its kid is unknown (401, one refetch)
    Scenario("key without kid (beside a usable key)",
             (Step("401", serve=lambda k, _: keys_document({**k.current.jwk(), "kid": None}, k.next.jwk())),), 2),
    Scenario("key for encryption (use: enc, beside a usable key)",
             (Step("401", serve=lambda k, _: keys_document(k.current.jwk(use="enc"), k.next.jwk())),), 2),
    Scenario("duplicate kid (two keys, one kid, beside a usable key)",
             (Step("401", serve=lambda k, _: keys_document(
                 k.current.jwk(), SigningKey(k.current.kid, k.attacker.private_key).jwk(), k.next.jwk())),), 2),
    Scenario("key_ops without verify (beside a usable key)",
             (Step("401", serve=lambda k, _: keys_document(k.current.jwk(key_ops=["sign"]), k.next.jwk())),), 2),
    # a JSON member written twice anywhere refuses the whole document: at a cold start a 500; while
    # warm the cached keys serve, and the attacker's second modulus never verifies anything
    Scenario("duplicate member at cold start (a second n in the key)",
             (Step("500", count=2, serve=_second_modulus),), 1),
    Scenario("duplicate member after warm start (a second n, the attacker's): cached keys serve",
             (Step("allow"), Step("allow", serve=_second_modulus, advance_seconds=TTL),
              Step("401", kid="impostor")), 2),
    Scenario("key alg PS256, token alg RS256",
             (Step("401", serve=lambda k, _: keys_document(k.current.jwk(alg="PS256"))),), 1),
    Scenario("rotation: next key published early",
             (Step("allow", serve=lambda k, _: keys_document(k.current.jwk(), k.next.jwk())),
              Step("allow", kid="next")), 1),
    Scenario("rotation: next key published while warm (picked up by one refetch)",
             (Step("allow"), Step("allow", kid="next", count=2,
                                  serve=lambda k, _: keys_document(k.current.jwk(), k.next.jwk()))), 2),
    Scenario("rotation: old key revoked (verifies until the scheduled refresh, then 401)",
             (Step("allow", serve=lambda k, _: keys_document(k.current.jwk(), k.next.jwk())),
              Step("allow", serve=lambda k, _: keys_document(k.next.jwk()), advance_seconds=TTL - 1),
              Step("401", advance_seconds=1), Step("allow", kid="next")), 3),
    # a client-chosen kid during an outage is refused (401), never a 500, while the cached keys
    # serve; one refetch is tried, then the cooldown and the backoff hold the others back
    Scenario("flood of 100 unknown kids while the endpoint fails (cached keys serve)",
             (Step("allow"), Step("401", kid="forged", count=100, serve=lambda k, _: Answer(status=503)),
              Step("allow")), 2),
    Scenario("flood of 1000 unknown kids, twice one cooldown apart",
             (Step("allow"), Step("401", kid="forged", count=1000),
              Step("401", kid="forged", count=1000, advance_seconds=COOLDOWN), Step("allow")), 3),
)


@contextmanager
def configured_handler(jwks_url: str, rules_dir: Path, **env: str) -> Iterator[None]:
    """The handler configured from the environment (as in Lambda; ``env`` overrides), restored afterwards."""
    rules_file = rules_dir / "rules.yaml"
    rules_file.write_text(RULES)
    values = {"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_url,
              "RULES_FILE": str(rules_file), **ENV, **env}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    new_container()
    try:
        yield
    finally:
        new_container()  # also outside pytest (bench/security_report.py): leave no warm state
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def _outcome(token: str) -> tuple[str, float]:
    event = {"type": "TOKEN", "methodArn": ARN, "authorizationToken": f"Bearer {token}"}
    started = time.perf_counter()
    try:
        response = app.lambda_handler(event, FakeLambdaContext())
    except app.AuthorizerFailure:
        return "500", time.perf_counter() - started
    except Exception as error:
        if type(error) is Exception and str(error) == "Unauthorized":
            return "401", time.perf_counter() - started
        raise
    elapsed = time.perf_counter() - started
    verdict = evaluate_policy(response["policyDocument"], ARN)
    return ("allow" if verdict is Verdict.ALLOW else "deny"), elapsed


def _tokens(step: Step, k: Keys, serial: Iterator[int]) -> list[str]:
    claims = auth0_claims(scope="read:hello")
    if step.kid == "forged":
        return [mint(k.attacker, claims, headers={"kid": f"forged-{next(serial)}"}) for _ in range(step.count)]
    if step.kid == "impostor":
        impostor = SigningKey(k.current.kid, k.attacker.private_key)
        return [mint(impostor, auth0_claims(scope="read:hello", jti=str(next(serial)))) for _ in range(step.count)]
    key = k.next if step.kid == "next" else k.current
    return [mint(key, auth0_claims(scope="read:hello", jti=str(next(serial)))) for _ in range(step.count)]


def run_scenario(scenario: Scenario, rules_dir: Path) -> ScenarioResult:
    """Play ``scenario`` against fresh servers and a fresh container."""
    k = keys()
    serial = iter(range(10**9))
    result = ScenarioResult()
    with running_jwks_server() as server, running_jwks_server() as elsewhere:
        server.serve(_current_only(k, ""))
        elsewhere.serve(_current_only(k, ""))
        with configured_handler(server.url, rules_dir):
            clock = _Clock()
            for issuer in app.current_engine().jwks:  # built without fetching; time moves by the test
                issuer.keys.clock = clock
            for step in scenario.steps:
                if step.serve is not None:
                    server.serve(step.serve(k, elsewhere.url))
                clock.offset += step.advance_seconds
                seen = set()
                for token in _tokens(step, k, serial):
                    outcome, seconds = _outcome(token)
                    seen.add(outcome)
                    result.worst_seconds = max(result.worst_seconds, seconds)
                    result.decisions += 1
                result.outcomes.append(seen.pop() if len(seen) == 1 else "/".join(sorted(seen)))
        result.requests, result.other_server_requests = server.requests, elsewhere.requests
    return result
