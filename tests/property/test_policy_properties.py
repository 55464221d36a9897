"""Properties of the policy: for random rules, scopes and requests it gives the rules' decision.

The policy is what API Gateway caches and re-evaluates on other routes of the
same API for the same token, so each property is checked on the call's own
route and on other routes. ``evaluate_policy`` is API Gateway's evaluation
(explicit Deny, then Allow, else deny; ``*`` and ``?`` globs over the ARN).

The policy is compacted (authorizer.policy_compaction). Beyond the sampled
requests, ``test_compact_policy_allows_exactly_what_the_full_policy_allows``
checks on ALL requests, with the exact language search, that it allows what
the uncompacted policy (every resource of every rule) allows.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from fnmatch import fnmatchcase

from hypothesis import given
from hypothesis import strategies as st

from authorizer.caller import Caller
from authorizer.arn import ApiStage
from authorizer.glob_language import Outcome, find_string
from scopegate_tools.iam import Verdict, evaluate_policy
from authorizer.policy import (
    build_policy_document,
    policy_document,
    policy_resources,
    policy_size,
)
from authorizer.policy_compaction import compact
from authorizer.rules import RuleSet, compile_rules
from tests.conftest import REPO_ROOT
from tests.property.policy_budget import policy_size_bound
from tests.property.strategies import (
    API,
    GeneratedRules,
    api_stages,
    requests_for,
    rules_files,
    scope_sets,
)


def allowed_by_policy(document: dict, api: ApiStage, method: str, path: str) -> bool:
    return evaluate_policy(document, api.resource(method, path)) is Verdict.ALLOW


def glob_verdict(document: dict, arn: str) -> Verdict:
    """An oracle independent of authorizer.route's globs: fnmatch's ``*`` and ``?`` are IAM's.

    (fnmatch also reads ``[...]``, which no policy resource can hold: ARN prefixes and rule
    paths never contain ``[``.)
    """
    effects = {s["Effect"] for s in document["Statement"] if any(fnmatchcase(arn, r) for r in s["Resource"])}
    if "Deny" in effects:
        return Verdict.EXPLICIT_DENY
    return Verdict.ALLOW if effects else Verdict.IMPLICIT_DENY


def policy_bytes(ruleset: RuleSet, granted: frozenset[str], api: ApiStage) -> bytes:
    return json.dumps(build_policy_document(ruleset, Caller.holding(granted), api), separators=(",", ":")).encode()


@given(st.data(), rules_files(), scope_sets, api_stages)
def test_policy_equals_the_rules_decision_on_the_calls_route_and_every_cached_route(
    data: st.DataObject, rules: GeneratedRules, granted: frozenset[str], api: ApiStage
) -> None:
    # GIVEN the policy built for the first request (the call); API Gateway reuses it for the rest
    requests = data.draw(requests_for(rules.ruleset))
    document = build_policy_document(rules.ruleset, Caller.holding(granted), api)
    # THEN on every request the policy's verdict is the rules' decision
    for method, path in requests:
        expected = rules.ruleset.decide(method, path, Caller.holding(granted)).allowed
        assert allowed_by_policy(document, api, method, path) == expected, (method, path)
        # AND an evaluator that shares no glob code with the authorizer agrees
        arn = api.resource(method, path)
        assert glob_verdict(document, arn) is evaluate_policy(document, arn), (method, path)


@given(st.data(), rules_files(), scope_sets, st.sampled_from(("read:a", "write:a", "read:b", "admin", "refund:a", "x")))
def test_adding_a_scope_never_removes_an_allowed_route(
    data: st.DataObject, rules: GeneratedRules, granted: frozenset[str], extra: str
) -> None:
    # GIVEN a token's policy and the policy of the same token with one more scope
    requests = data.draw(requests_for(rules.ruleset))
    before = build_policy_document(rules.ruleset, Caller.holding(granted), API)
    after = build_policy_document(rules.ruleset, Caller.holding(granted | {extra}), API)
    # THEN every route the first allows, the second allows too
    for method, path in requests:
        if allowed_by_policy(before, API, method, path):
            assert allowed_by_policy(after, API, method, path), (method, path, extra)


@given(rules_files(), scope_sets, api_stages, st.randoms(use_true_random=False))
def test_same_inputs_give_byte_identical_policies(
    rules: GeneratedRules, granted: frozenset[str], api: ApiStage, rnd: random.Random
) -> None:
    # GIVEN the same rules text compiled twice and the same scopes collected in another order
    shuffled = list(granted)
    rnd.shuffle(shuffled)
    again = compile_rules(rules.text, "generated.yaml")
    # THEN the policies are the same bytes
    assert policy_bytes(rules.ruleset, granted, api) == policy_bytes(again, frozenset(shuffled), api)


@given(rules_files(), scope_sets, st.randoms(use_true_random=False))
def test_rule_order_does_not_change_a_single_byte_of_the_policy(
    rules: GeneratedRules, granted: frozenset[str], rnd: random.Random
) -> None:
    # GIVEN the same rules written in another order
    header, _, body = rules.text.partition("rules:\n")
    blocks = ["  - " + block for block in body.split("  - ")[1:]]
    rnd.shuffle(blocks)
    reordered = compile_rules(header + "rules:\n" + "".join(blocks), "reordered.yaml")
    # THEN the policy is byte-identical
    assert policy_bytes(reordered, granted, API) == policy_bytes(rules.ruleset, granted, API)


@given(rules_files(), scope_sets)
def test_scopes_the_rules_never_name_do_not_change_the_policy(rules: GeneratedRules, granted: frozenset[str]) -> None:
    # GIVEN the engine's policy memo, keyed by the token's scopes that the rules know
    known = granted & rules.ruleset.known_scopes
    # THEN the policy for every scope set is the memoised one (a cached policy is never another token's)
    assert policy_bytes(rules.ruleset, granted, API) == policy_bytes(rules.ruleset, known, API)


@given(rules_files(max_rules=12), scope_sets, api_stages)
def test_policy_size_stays_within_the_rule_sets_worst_case_bound(
    rules: GeneratedRules, granted: frozenset[str], api: ApiStage
) -> None:
    # GIVEN the documented worst case of the rule set on this API stage
    bound = policy_size_bound(rules.ruleset, api)
    # THEN no token's policy is larger
    assert policy_size(build_policy_document(rules.ruleset, Caller.holding(granted), api)) <= bound


def uncompacted_document(ruleset: RuleSet, granted: frozenset[str], api: ApiStage) -> dict:
    return policy_document(api, *policy_resources(ruleset, Caller.holding(granted), api))


def suffixes(document: dict, api: ApiStage, effect: str) -> list[str]:
    """The ``VERB/path`` globs of one statement of a policy built by scopegate."""
    resources = [r for s in document["Statement"] if s["Effect"] == effect for r in s["Resource"]]
    return [r.removeprefix(api.prefix + "/") for r in resources if r != api.prefix + "/*"]


@given(rules_files(max_rules=12), scope_sets, api_stages)
def test_compact_policy_allows_exactly_what_the_full_policy_allows(
    rules: GeneratedRules, granted: frozenset[str], api: ApiStage
) -> None:
    # GIVEN the full policy (every resource of every rule) and the compact one
    full_allow, full_deny = policy_resources(rules.ruleset, Caller.holding(granted), api)
    document = build_policy_document(rules.ruleset, Caller.holding(granted), api)
    allow, deny = suffixes(document, api, "Allow"), suffixes(document, api, "Deny")
    # THEN no request of any verb and path is allowed by one and not by the other: none is in a
    # dropped Allow outside what is left, none in a dropped Deny inside a kept Allow
    assert set(allow) <= set(full_allow) and set(deny) <= set(full_deny)
    for dropped in sorted(set(full_allow) - set(allow)):
        assert find_string([dropped], none_of=allow + full_deny).outcome is Outcome.NONE, dropped
    for dropped in sorted(set(full_deny) - set(deny)) if allow else ():
        assert find_string([dropped], any_of=allow, none_of=deny).outcome is Outcome.NONE, dropped


@given(rules_files(max_rules=12), scope_sets, api_stages)
def test_compact_policy_is_never_larger_than_the_full_one(
    rules: GeneratedRules, granted: frozenset[str], api: ApiStage
) -> None:
    compact_bytes = policy_size(build_policy_document(rules.ruleset, Caller.holding(granted), api))
    assert compact_bytes <= policy_size(uncompacted_document(rules.ruleset, granted, api))


@given(rules_files(max_rules=12), scope_sets)
def test_compaction_answers_every_question_and_is_idempotent(rules: GeneratedRules, granted: frozenset[str]) -> None:
    # GIVEN the compaction of a generated rule set's full policy
    kept = compact(*policy_resources(rules.ruleset, Caller.holding(granted), API))
    # THEN it finished and no search hit its bound (rules of this size never need an "unknown")
    assert (kept.unknown, kept.finished) == (0, True)
    # AND compacting the result again changes nothing
    again = compact(kept.allow, kept.deny)
    assert (again.allow, again.deny, again.unknown, again.finished) == (kept.allow, kept.deny, 0, True)


@given(st.data(), rules_files(), scope_sets, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=30))
def test_a_compaction_out_of_budget_still_gives_the_rules_decision(
    data: st.DataObject, rules: GeneratedRules, granted: frozenset[str], pairs: int, states: int
) -> None:
    # GIVEN a compaction that runs out of budget (what it could not decide is kept)
    requests = data.draw(requests_for(rules.ruleset))
    kept = compact(*policy_resources(rules.ruleset, Caller.holding(granted), API), budget_pairs=pairs, budget_work=states)
    document = policy_document(API, kept.allow, kept.deny)
    # THEN the policy still gives the rules' decision on every request
    for method, path in requests:
        expected = rules.ruleset.decide(method, path, Caller.holding(granted)).allowed
        assert allowed_by_policy(document, API, method, path) == expected, (method, path)


RULES_NESTING_WILDCARDS = """\
version: 1
rules:
  - route: GET /p/*
    scopes: [a]
  - route: GET /q/*
    scopes: [b]
  - route: GET /p/x/*
    scopes: [c]
  - route: GET /q/x/*
    scopes: [c]
"""


def test_no_policy_is_larger_than_what_the_rules_checker_reports() -> None:
    # GIVEN the largest policy `python -m scopegate_tools check` reports for rules with nested wildcards
    from scopegate_tools.cli.policy_budget import measure_policy, worst_case_api

    ruleset = compile_rules(RULES_NESTING_WILDCARDS, "rules.yaml")
    reported = measure_policy(ruleset, "Dev", budget_bytes=8192)
    # THEN no token's policy on that (worst-case-length) API stage is larger
    for n in range(4):
        for scopes in itertools.combinations("abc", n):
            document = build_policy_document(ruleset, Caller.holding(frozenset(scopes)), worst_case_api("Dev"))
            assert policy_size(document) <= reported.largest_bytes, scopes


POLICY_IN_A_NEW_PROCESS = """
import sys
from authorizer.caller import Caller
from authorizer.policy import build_policy_document
from authorizer.rules import compile_rules
from tests.property.strategies import API
import json
rules = compile_rules(sys.stdin.read(), "rules.yaml")
granted = Caller.holding(["read:a", "admin", "x", "refund:a", "unknown:scope"])
sys.stdout.write(json.dumps(build_policy_document(rules, granted, API), separators=(",", ":")))
"""


def test_policies_are_byte_identical_across_processes_with_other_hash_seeds() -> None:
    # GIVEN rules whose sets (scopes, resources) iterate in an order that depends on the hash seed
    text = "version: 1\nrules:\n" + "".join(
        f'  - route: "{method} /r{i}/*"\n    any_scopes: [read:a, admin, x, write:a]\n'
        for i, method in enumerate(["*", "GET", "POST", "DELETE"] * 3)
    ) + '  - route: "* /r0/admin/*"\n    deny: true\n'
    # WHEN two interpreters with different PYTHONHASHSEED build the policy
    outputs = {
        subprocess.run(
            [sys.executable, "-c", POLICY_IN_A_NEW_PROCESS], input=text, capture_output=True, text=True,
            cwd=REPO_ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    # THEN they write the same bytes
    assert len(outputs) == 1 and outputs.pop().startswith('{"Version":"2012-10-17"')
