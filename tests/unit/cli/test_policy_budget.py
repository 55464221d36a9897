"""scopegate_tools.cli.policy_budget: the largest policy over every scope set, found from few candidates."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from scopegate_tools.cli.policy_budget import measure_policy, measure_route_policies, worst_case_api
from authorizer.caller import Caller
from authorizer.policy import build_policy_document, policy_size
from authorizer.resource_path import parse_resource_path
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import compile_rules

SCOPES = ["a", "b", "c", "d"]
ROUTES = ["GET /x", "* /x", "GET /y/*", "POST /y/*", "* /z", "DELETE /x"]


def requirement(kind: str, picks: list[str]) -> str:
    if kind == "deny":
        return "    deny: true\n"
    if kind == "authenticated":
        return "    authenticated: true\n"
    if kind == "any":
        return f"    any_scopes: [{', '.join(picks)}]\n"
    return f"    scopes: [{', '.join(picks)}]\n"


rule_strategy = st.tuples(
    st.sampled_from(["scopes", "any", "authenticated", "deny"]),
    st.lists(st.sampled_from(SCOPES), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(ROUTES), min_size=1, max_size=5, unique=True), st.data())
def test_largest_policy_equals_brute_force_over_every_scope_set(routes, data) -> None:
    body = ""
    for route in routes:
        kind, picks = data.draw(rule_strategy)
        body += f'  - route: "{route}"\n' + requirement(kind, picks)
    ruleset = compile_rules(f"version: 1\nrules:\n{body}", "rules.yaml")
    api = worst_case_api("Dev")
    brute = max(
        policy_size(build_policy_document(ruleset, Caller.holding(frozenset(subset)), api))
        for n in range(len(SCOPES) + 1)
        for subset in itertools.combinations(SCOPES, n)
    )
    assert measure_policy(ruleset, "Dev", 8192).largest_bytes == brute


def test_resource_count_is_every_resource_of_every_rule_once() -> None:
    ruleset = compile_rules(
        'version: 1\nrules:\n  - route: "* /x"\n    scopes: [a]\n  - route: GET /x\n    scopes: [b]\n',
        "rules.yaml",
    )
    budget = measure_policy(ruleset, "Dev", 8192)
    assert (budget.resources, budget.over_budget) == (7, False)


def test_worst_case_prefix_is_longer_than_any_real_one() -> None:
    assert worst_case_api("Dev").prefix == "arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev"


TEMPLATE_ROUTES = [("GET", "/x"), ("POST", "/x"), ("GET", "/y/{id}"), ("DELETE", "/y/{id}"), ("PUT", "/z/{p+}")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(ROUTES), min_size=1, max_size=5, unique=True), st.data())
def test_largest_per_route_policy_equals_brute_force_over_every_route_and_scope_set(routes, data) -> None:
    body = ""
    for route in routes:
        kind, picks = data.draw(rule_strategy)
        body += f'  - route: "{route}"\n' + requirement(kind, picks)
    ruleset = compile_rules(f"version: 1\nrules:\n{body}", "rules.yaml")
    api = worst_case_api("Dev")
    pairs = [(method, parse_resource_path(path)) for method, path in TEMPLATE_ROUTES]
    brute = max(
        policy_size(build_route_policy_document(ruleset, Caller.holding(subset), api, method, resource))
        for method, resource in pairs
        for n in range(len(SCOPES) + 1)
        for subset in itertools.combinations(SCOPES, n)
    )
    measured = measure_route_policies(ruleset, pairs, "Dev", 8192)
    assert (measured.largest_bytes, measured.exhaustive) == (brute, True)
    assert measured.largest_bytes <= measured.bound_bytes
    assert measured.route in {f"{method} {path}" for method, path in TEMPLATE_ROUTES}


def test_per_route_policies_stay_small_where_the_whole_api_policy_is_over_budget() -> None:
    # GIVEN 400 services, and a budget the whole API's policy cannot meet
    text = "version: 1\nrules:\n" + "".join(
        f"  - route: GET /s{n}/*\n    scopes: [r{n}]\n  - route: POST /s{n}\n    scopes: [w{n}]\n" for n in range(400)
    )
    ruleset = compile_rules(text, "rules.yaml")
    assert measure_policy(ruleset, "Dev", 2048).over_budget
    # THEN every route's own policy fits
    pairs = [(method, parse_resource_path(path)) for n in range(400)
             for method, path in (("GET", f"/s{n}/{{id}}"), ("POST", f"/s{n}"))]
    measured = measure_route_policies(ruleset, pairs, "Dev", 2048)
    assert (measured.over_budget, measured.exhaustive, measured.largest_bytes < 400) == (False, True, True)
