"""The policy equivalence through the real handler, with a real JWKS server on 127.0.0.1.

For random rules files, scope sets and requests: the first request is the
call; the policy it returns must give the rules' decision on it and, as API
Gateway's cache would reuse it, on every other request; and a later call on
another route must get the very same policy from the engine's memo.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer import app
from authorizer.caller import Caller
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.conftest import LogLines
from tests.property.strategies import API, GeneratedRules, requests_for, rules_files, scope_sets
from tests.support.container import new_container
from tests.support.jwks_server import running_jwks_server
from tests.support.keys import SigningKey
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

HANDLER_EXAMPLES = max(25, settings.default.max_examples // 5)


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory, signing_key: SigningKey) -> Iterator[Path]:
    """The handler configured from the environment, its rules file for each example to rewrite."""
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    with running_jwks_server() as server, pytest.MonkeyPatch.context() as env:
        server.serve_keys(signing_key.jwk())
        for name, value in {"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": server.url,
                            "RULES_FILE": str(path)}.items():
            env.setenv(name, value)
        yield path


def fresh_container_token(rules_file: Path, rules: GeneratedRules, signing_key: SigningKey, granted: frozenset[str]) -> str:
    """A new container enforcing ``rules``, and a token holding ``granted``."""
    rules_file.write_text(rules.text)
    new_container()
    return mint(signing_key, auth0_claims(scope=" ".join(sorted(granted))))


def call(token: str, method: str, path: str) -> dict:
    event = {"type": "TOKEN", "methodArn": API.resource(method, path), "authorizationToken": f"Bearer {token}"}
    return app.lambda_handler(event, FakeLambdaContext())


@settings(max_examples=HANDLER_EXAMPLES)
@given(st.data(), rules_files(), scope_sets)
def test_handler_policy_equals_the_rules_decision_on_the_call_and_from_cache(
    rules_file: Path, signing_key: SigningKey, data: st.DataObject, rules: GeneratedRules, granted: frozenset[str]
) -> None:
    # GIVEN a fresh container enforcing the generated rules, and a token holding the scopes
    token = fresh_container_token(rules_file, rules, signing_key, granted)
    (method, path), *others = data.draw(requests_for(rules.ruleset))
    # WHEN the token calls the first route
    document = call(token, method, path)["policyDocument"]
    # THEN the policy decides that call, and every other route as API Gateway's cache would
    for other_method, other_path in [(method, path), *others]:
        expected = rules.ruleset.decide(other_method, other_path, Caller.holding(granted)).allowed
        verdict = evaluate_policy(document, API.resource(other_method, other_path))
        assert (verdict is Verdict.ALLOW) == expected, (other_method, other_path)
        # AND a call on that route gets the same policy bytes
        again = call(token, other_method, other_path)["policyDocument"]
        assert json.dumps(again) == json.dumps(document)


@settings(max_examples=HANDLER_EXAMPLES)
@given(st.data(), rules_files(), scope_sets)
def test_a_repeated_token_is_decided_as_a_fresh_one_on_every_route(
    rules_file: Path, signing_key: SigningKey, data: st.DataObject, rules: GeneratedRules, granted: frozenset[str]
) -> None:
    # GIVEN one token calling a random sequence of routes, each route asked twice or more
    token = fresh_container_token(rules_file, rules, signing_key, granted)
    requests = data.draw(requests_for(rules.ruleset))
    sequence = data.draw(st.lists(st.sampled_from(requests), min_size=len(requests), max_size=3 * len(requests)))
    lines = LogLines()
    target = logging.getLogger(app.logger.name)
    target.addHandler(lines)
    try:
        for method, path in [*requests, *sequence]:
            call(token, method, path)
    finally:
        target.removeHandler(lines)
    # THEN every decision, from the token's remembered answers or not, is the rules' decision
    decisions = lines.decisions()
    assert len(decisions) == len(requests) + len(sequence)
    for (method, path), decision in zip([*requests, *sequence], decisions):
        expected = rules.ruleset.decide(method, path, Caller.holding(granted))
        assert (decision["outcome"] == "allow") == expected.allowed, (method, path)
        assert (decision["reason"], decision["rule_ids"]) == (expected.reason, list(expected.matched_ids))
    assert all(d["token_cached"] for d in decisions[1:])
