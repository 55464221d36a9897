"""Properties of conditions on the caller: random rules naming clients, orgs and issuers, random callers.

Three things must hold for every caller, not only for a scope set:

* the rules' decision is the semantics the README states, computed here from the rules' fields by
  an independent reading (not ``Rule.satisfied_by``);
* the policy gives that decision on the call's route and on every other route API Gateway's
  result cache reuses it for, and its compact form allows exactly what the full one allows; so
  does a per-route policy (REQUEST mode) on every path of its route;
* the policy memo's key (``RuleSet.relevant``) loses nothing: the relevant part of a caller gets
  the same decision everywhere and byte-identical policies.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from authorizer.caller import Caller
from authorizer.glob_language import Outcome, find_string
from authorizer.policy import build_policy_document, policy_resources
from authorizer.resource_path import parse_resource_path
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import Rule, RuleSet
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.property.strategies import API, GeneratedRules, callers, concrete_paths, requests_for, routes_for, rules_files


def _in_list(values: frozenset[str], value: str | None) -> bool:
    return not values or value in values


def names_caller(rule: Rule, caller: Caller) -> bool:
    """The caller is one the rule's conditions name: in each list the rule has."""
    c = rule.conditions
    return _in_list(c.clients, caller.client_id) and _in_list(c.orgs, caller.organization) and _in_list(
        c.issuers, caller.issuer
    )


def satisfies(rule: Rule, caller: Caller) -> bool:
    """README "Conditions on the caller", word for word."""
    if rule.deny:  # unsatisfied for the callers its conditions name (everyone when it has none)
        return not names_caller(rule, caller)
    has_scopes = rule.scopes <= caller.scopes and (not rule.any_scopes or bool(rule.any_scopes & caller.scopes))
    return has_scopes and names_caller(rule, caller)


def allowed_by_semantics(ruleset: RuleSet, caller: Caller, method: str, path: str) -> bool:
    """Allowed when at least one non-deny rule matches and every rule that matches is satisfied."""
    matching = [rule for rule in ruleset.rules if rule.route.matches(method, path)]
    return any(not rule.deny for rule in matching) and all(satisfies(rule, caller) for rule in matching)


def policy_allows(document: dict, method: str, path: str) -> bool:
    return evaluate_policy(document, API.resource(method, path)) is Verdict.ALLOW


@given(st.data(), rules_files(conditions=True), callers)
def test_the_rules_decide_as_the_semantics_state_for_every_caller(
    data: st.DataObject, rules: GeneratedRules, caller: Caller
) -> None:
    for method, path in data.draw(requests_for(rules.ruleset)):
        decided = rules.ruleset.decide(method, path, caller).allowed
        assert decided == allowed_by_semantics(rules.ruleset, caller, method, path), (method, path)


@given(st.data(), rules_files(conditions=True), callers)
def test_the_policy_gives_the_rules_decision_on_the_calls_route_and_every_cached_route(
    data: st.DataObject, rules: GeneratedRules, caller: Caller
) -> None:
    # GIVEN the policy built for the caller's first call; API Gateway reuses it for the rest
    document = build_policy_document(rules.ruleset, caller, API)
    for method, path in data.draw(requests_for(rules.ruleset)):
        assert policy_allows(document, method, path) == rules.ruleset.decide(method, path, caller).allowed, (method, path)


@given(st.data(), rules_files(conditions=True), callers)
def test_the_policy_memo_key_gives_the_callers_decisions_and_the_same_bytes(
    data: st.DataObject, rules: GeneratedRules, caller: Caller
) -> None:
    # GIVEN the part of the caller the engine keys its policy memo on
    relevant = rules.ruleset.relevant(caller)
    # THEN it is decided as the caller on every request, and its policy is the caller's, byte for byte
    for method, path in data.draw(requests_for(rules.ruleset)):
        assert rules.ruleset.decide(method, path, relevant).allowed == rules.ruleset.decide(method, path, caller).allowed
    policy = json.dumps(build_policy_document(rules.ruleset, caller, API))
    assert json.dumps(build_policy_document(rules.ruleset, relevant, API)) == policy
    # AND it holds nothing the rules do not read
    named = rules.ruleset.named
    assert relevant.scopes <= rules.ruleset.known_scopes
    assert relevant.client_id in named.clients | {None} and relevant.organization in named.orgs | {None}
    assert relevant.issuer in named.issuers | {None}


@given(rules_files(max_rules=10, conditions=True), callers)
def test_the_compact_policy_allows_exactly_what_the_full_policy_allows(rules: GeneratedRules, caller: Caller) -> None:
    full_allow, full_deny = policy_resources(rules.ruleset, caller, API)
    document = build_policy_document(rules.ruleset, caller, API)
    kept = {s["Effect"]: [r.removeprefix(API.prefix + "/") for r in s["Resource"]] for s in document["Statement"]}
    allow = [] if kept.get("Deny") == ["*"] else kept.get("Allow", [])
    deny = [glob for glob in kept.get("Deny", []) if glob != "*"]
    for dropped in sorted(set(full_allow) - set(allow)):
        assert find_string([dropped], none_of=allow + full_deny).outcome is Outcome.NONE, dropped
    for dropped in sorted(set(full_deny) - set(deny)) if allow else ():
        assert find_string([dropped], any_of=allow, none_of=deny).outcome is Outcome.NONE, dropped


@given(st.data(), rules_files(conditions=True), callers)
def test_the_per_route_policy_gives_the_rules_decision_on_every_path_of_its_route_and_keys_as_the_caller(
    data: st.DataObject, rules: GeneratedRules, caller: Caller
) -> None:
    # GIVEN the policy of one route (per-route mode), which API Gateway reuses on all its paths
    method, template = data.draw(routes_for(rules.ruleset))
    resource = parse_resource_path(template)
    document = build_route_policy_document(rules.ruleset, caller, API, method, resource)
    # THEN every path of the route gets the rules' decision for this caller
    for path in data.draw(st.lists(concrete_paths(template), min_size=1, max_size=8)):
        assert policy_allows(document, method, path) == rules.ruleset.decide(method, path, caller).allowed, (
            template, method, path,
        )
    # AND the memo key's caller gets the very same bytes
    relevant = rules.ruleset.relevant(caller)
    assert json.dumps(build_route_policy_document(rules.ruleset, relevant, API, method, resource)) == json.dumps(document)
