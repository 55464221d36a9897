"""atheris fuzz target: the whole Lambda handler, as API Gateway calls it.

Run (see ``make fuzz`` and docs/security.md)::

    .venv/bin/python -m tests.fuzz.handler_target -runs=1000000

What a client controls is fuzzed: the ``authorizationToken`` (structured
tokens from :mod:`tests.fuzz.token_recipe`, or raw text) and the path part of
the ``methodArn``. The ARN prefix and the verb are API Gateway's and stay
well-formed.

The JWKS: a real JWKS server on 127.0.0.1 (:mod:`tests.support.jwks_server`)
serving the real key, and ``authorizer.app.lambda_handler`` configured from the
environment exactly as in Lambda, so the fuzzed path includes the HTTP fetcher
and the JWKS cache (one fetch at start, one unknown-kid refetch per cooldown).

Invariants checked on every input (a violation raises, which atheris reports
as a crash with the input saved):

1. a token the recipe did not build valid never gets a response: the handler
   raises exactly ``Exception("Unauthorized")``;
2. a valid token gets a response whose policy, evaluated with API Gateway's
   semantics on the call's methodArn, equals the rules' decision, with
   ``principalId`` the token's ``sub`` and a context of strings only;
3. nothing else is ever raised (no 500 for client input);
4. the decision log never holds a built token.
"""

from __future__ import annotations

from authorizer.caller import Caller
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import atheris

from tests.conftest import LogLines
from tests.fuzz.token_recipe import Recipe, build_recipe
from tests.support.container import new_container
from tests.support.jwks_server import JwksServer
from tests.support.keys import SigningKey, rsa_key
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER

with atheris.instrument_imports(include=["authorizer"]):
    from authorizer import app
    from scopegate_tools.iam import Verdict, evaluate_policy
    from authorizer.route import HTTP_METHODS
    from authorizer.rules import RuleSet

ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
RULES = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders]
  - route: PUT /orders/?
    scopes: [write:orders]
  - route: "* /health"
    authenticated: true
  - route: "* /admin/*"
    deny: true
  - route: "GET /files/{proxy+}"
    scopes: [read:orders, admin]
"""
PATH_PIECES = ("hello", "orders", "1", "refunds", "admin", "health", "files", "", ":", "%2F", "+",
               ".", "..", "é", "日本", "*", "?", "a:b", "%", "~")


class FuzzDraw:
    """The recipe's choices from atheris' FuzzedDataProvider."""

    def __init__(self, data: bytes) -> None:
        self.fdp = atheris.FuzzedDataProvider(data)

    def index(self, count: int) -> int:
        return self.fdp.ConsumeIntInRange(0, count - 1) if count > 1 else 0

    def text(self, max_length: int) -> str:
        return self.fdp.ConsumeUnicode(self.fdp.ConsumeIntInRange(0, max_length))

    def raw(self, max_length: int) -> bytes:
        return self.fdp.ConsumeBytes(self.fdp.ConsumeIntInRange(0, max_length))


class Finding(AssertionError):
    """An invariant of the handler does not hold."""


class HandlerHarness:
    def __init__(self, real: SigningKey, other: SigningKey, rules: RuleSet) -> None:
        self.real, self.other, self.rules = real, other, rules
        self.outcomes: Counter[str] = Counter()
        self.log = LogLines()  # what the authorizer logs for the current input, as in Lambda
        target = logging.getLogger(app.logger.name)
        for handler in list(target.handlers):
            target.removeHandler(handler)  # the fuzz run keeps the log lines in memory only
        target.addHandler(self.log)

    def request_path(self, draw: FuzzDraw) -> str:
        if draw.index(2) == 0:
            return "/" + "/".join(PATH_PIECES[draw.index(len(PATH_PIECES))] for _ in range(draw.index(5)))
        return "/" + draw.text(80)

    def one_input(self, data: bytes) -> None:
        draw = FuzzDraw(data)
        verb = HTTP_METHODS[draw.index(len(HTTP_METHODS))]
        path = self.request_path(draw)
        if draw.index(16) == 15:  # raw text in the Authorization value: never valid
            recipe = Recipe(authorization=draw.text(200), invalid_because=["raw text"])
        else:
            recipe = build_recipe(draw, self.real, self.other, int(time.time()))
        event = {"type": "TOKEN", "methodArn": f"{ARN_PREFIX}/{verb}{path}",
                 "authorizationToken": recipe.authorization}
        self.log.lines.clear()
        try:
            response = app.lambda_handler(event, FakeLambdaContext())
        except Exception as error:
            if type(error) is not Exception or str(error) != "Unauthorized":
                raise Finding(f"{type(error).__name__}: {error} for {recipe.invalid_because}") from error
            if recipe.valid:
                raise Finding(f"a valid token was refused: {recipe.token!r} on {path!r}") from None
            self.outcomes["unauthorized"] += 1
        else:
            allowed = self.check_response(response, recipe, verb, path, event["methodArn"])
            self.outcomes["allow" if allowed else "deny"] += 1
        self.check_log(recipe.token)
        if sum(self.outcomes.values()) % 1000 == 0:
            write_outcomes(self)  # libFuzzer ends the process without running atexit

    def check_response(self, response: dict[str, Any], recipe: Recipe, verb: str, path: str, arn: str) -> bool:
        if not recipe.valid:
            raise Finding(f"a response for an invalid token ({recipe.invalid_because}): {recipe.token!r}")
        expected = self.rules.decide(verb, path, Caller.holding(frozenset(recipe.scopes))).allowed
        verdict = evaluate_policy(response["policyDocument"], arn)
        if (verdict is Verdict.ALLOW) != expected:
            raise Finding(f"policy says {verdict} but the rules say {expected} for {verb} {path!r}")
        if response["principalId"] != recipe.subject:
            raise Finding("principalId is not the token's sub")
        if not all(isinstance(v, str) for v in response["context"].values()):
            raise Finding("context holds a value that is not a string")
        return expected

    def check_log(self, token: str) -> None:
        """A built token (raw text is left out: the logged path may repeat it) is never logged."""
        if token and any(token in line for line in self.log.lines):
            raise Finding("the decision log holds the token")


def start(rules_dir: Path) -> HandlerHarness:
    """Start the JWKS server, configure the handler from the environment, build the harness."""
    real, other = rsa_key("fuzz-key"), rsa_key("fuzz-other")
    server = JwksServer().start()
    server.serve_keys(real.jwk())
    rules_file = rules_dir / "rules.yaml"
    rules_file.write_text(RULES)
    os.environ.update({"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": server.url,
                       "RULES_FILE": str(rules_file), "TOKEN_ALGORITHMS": "RS256"})
    new_container()
    return HandlerHarness(real, other, app.current_engine().rules)


def write_outcomes(harness: HandlerHarness) -> None:
    """Outcome counts so far as JSON to $FUZZ_OUTCOMES_FILE (read by the security report)."""
    target = os.environ.get("FUZZ_OUTCOMES_FILE")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(harness.outcomes.items()))))


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as rules_dir:
        harness = start(Path(rules_dir))
        atheris.Setup(argv, harness.one_input)
        atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
