"""Properties of per-route policies: for random rules, resource paths, scopes and concrete paths.

In per-route mode API Gateway caches a policy per token, method and resource path and evaluates
it on every concrete path of that resource path (every ``{id}``, every ``{proxy+}`` depth). So a
per-route policy must give the rules' decision there: checked on random concrete paths with API
Gateway's evaluation (``evaluate_policy``: explicit Deny, then Allow, else deny) and with an
evaluator sharing no glob code; and exactly, on ALL paths of the resource path, with the
language search (it allows there just what the full policy, every resource of every rule, allows).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from authorizer.arn import ApiStage
from authorizer.caller import Caller
from authorizer.glob_language import Outcome, find_string, matches
from authorizer.policy import policy_resources, policy_size
from authorizer.resource_path import parse_resource_path
from authorizer.route import HTTP_METHODS
from authorizer.route_policy import build_route_policy_document, route_language
from scopegate_tools.iam import Verdict, evaluate_policy
from tests.property.strategies import (
    OTHER_VERBS,
    GeneratedRules,
    api_stages,
    concrete_paths,
    dense_routes,
    random_paths,
    resource_paths,
    routes_for,
    rules_files,
    scope_sets,
)
from tests.property.test_policy_properties import glob_verdict

verbs = st.one_of(st.sampled_from(HTTP_METHODS), st.sampled_from(OTHER_VERBS))
# the generic rules (every kind of literal and wildcard), or dense ones (several reach one route)
any_rules = st.one_of(rules_files(), rules_files(route_strategy=dense_routes))


def granted_for(data: st.DataObject, rules: GeneratedRules, drawn: frozenset[str]) -> frozenset[str]:
    """Now and then most of the scopes the rules name instead of ``drawn``: more routes allowed."""
    known = sorted(rules.ruleset.known_scopes)
    if not known or data.draw(st.booleans()):
        return drawn
    return frozenset(data.draw(st.sets(st.sampled_from(known), min_size=len(known) // 2)))


@given(st.data(), any_rules, verbs, scope_sets, api_stages)
def test_per_route_policy_equals_the_rules_decision_on_every_path_of_its_route(
    data: st.DataObject, rules: GeneratedRules, other_verb: str, granted: frozenset[str], api: ApiStage
) -> None:
    # GIVEN the policy built for one route (method + resource path), cached for all its paths
    method, template = data.draw(routes_for(rules.ruleset))
    method = other_verb if other_verb in OTHER_VERBS else method  # now and then a verb no rule has
    caller = Caller.holding(granted_for(data, rules, granted))
    resource = parse_resource_path(template)
    document = build_route_policy_document(rules.ruleset, caller, api, method, resource)
    # THEN on every concrete path of the route, API Gateway's verdict is the rules' decision
    for path in data.draw(st.lists(concrete_paths(template), min_size=1, max_size=10)):
        assert resource.matches(path), (template, path)
        arn = api.resource(method, path)
        expected = rules.ruleset.decide(method, path, caller).allowed
        assert (evaluate_policy(document, arn) is Verdict.ALLOW) == expected, (template, method, path)
        # AND an evaluator that shares no glob code with the authorizer agrees
        assert glob_verdict(document, arn) is evaluate_policy(document, arn), (template, method, path)


def path_globs(document: dict, api: ApiStage, method: str, effect: str) -> list[str]:
    """The path globs of one statement of a per-route policy (every resource is ``<stage>/<method><glob>``)."""
    head = f"{api.prefix}/{method}"
    resources = [r for s in document["Statement"] if s["Effect"] == effect for r in s["Resource"]]
    assert all(r.startswith(head + "/") for r in resources), resources
    return [r.removeprefix(head) for r in resources]


@given(st.data(), st.one_of(rules_files(max_rules=10), rules_files(max_rules=10, route_strategy=dense_routes)),
       scope_sets, api_stages)
def test_per_route_policy_allows_exactly_what_the_full_policy_allows_on_all_paths_of_its_route(
    data: st.DataObject, rules: GeneratedRules, granted: frozenset[str], api: ApiStage
) -> None:
    # GIVEN the full policy's resources of this method (every rule's), and the per-route policy
    method, template = data.draw(routes_for(rules.ruleset))
    caller = Caller.holding(granted_for(data, rules, granted))
    resource = parse_resource_path(template)
    language = route_language(resource)
    full_allow, full_deny = ([s.removeprefix(method) for s in group if s.startswith(method + "/")]
                             for group in policy_resources(rules.ruleset, caller, api))
    document = build_route_policy_document(rules.ruleset, caller, api, method, resource)
    allow, deny = path_globs(document, api, method, "Allow"), path_globs(document, api, method, "Deny")
    # THEN no path of the route is allowed by one and not by the other (decided by the search, not sampled)
    questions = []
    for glob in full_allow:  # allowed by the full policy ...
        questions.append(([language, glob], [], full_deny + allow))  # ... in no per-route Allow
        questions += [([language, glob, other], [], full_deny) for other in deny]  # ... or in a per-route Deny
    for glob in allow:  # allowed by the per-route policy ...
        questions.append(([language, glob], [], deny + full_allow))
        questions += [([language, glob, other], [], deny) for other in full_deny]
    for all_of, any_of, none_of in questions:
        assert find_string(all_of, any_of, none_of).outcome is Outcome.NONE, (all_of, none_of)


@given(resource_paths(), st.data())
def test_the_route_language_is_the_paths_the_resource_path_matches(template: str, data: st.DataObject) -> None:
    resource = parse_resource_path(template)
    language = route_language(resource)
    paths = data.draw(st.lists(st.one_of(concrete_paths(template), random_paths), min_size=1, max_size=12))
    for path in paths:
        assert matches(language, path) == resource.matches(path), (template, path)


@given(rules_files(max_rules=12), resource_paths(), st.sampled_from(HTTP_METHODS), scope_sets, api_stages)
def test_per_route_policy_is_never_larger_than_the_rules_resources_of_its_method(
    rules: GeneratedRules, template: str, method: str, granted: frozenset[str], api: ApiStage
) -> None:
    # a per-route policy holds at most the rules' resources of its method, or the route's two covering globs
    resource = parse_resource_path(template)
    document = build_route_policy_document(rules.ruleset, Caller.holding(granted), api, method, resource)
    count = sum(len(statement["Resource"]) for statement in document["Statement"])
    reaching = {rule.route.pattern for rule in rules.ruleset.rules if method in rule.route.methods}
    assert count <= max(len(reaching), len(resource.covering_globs))
    assert policy_size(document) < 600 + 520 * max(len(reaching), 1)
