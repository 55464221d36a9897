"""scopegate_tools.cli.samples: sample requests stand for every request of a route.

The property tests compare the samples' answers with brute force over every
request up to a size, using only RuleSet.matching and the template's routing.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from scopegate_tools.cli.coverage import view_routes
from scopegate_tools.cli.samples import find_witness, generic_samples, sample_space
from scopegate_tools.cli.template_routes import Request, route_of, template_route
from authorizer.rules import compile_rules


def ruleset(*routes: str):
    body = "".join(f"  - route: \"{route}\"\n    authenticated: true\n" for route in routes)
    return compile_rules(f"version: 1\nrules:\n{body}", "rules.yaml")


def test_generic_character_is_in_no_rule_and_no_template_literal() -> None:
    rules = ruleset("GET /x/*", "GET /zq")
    routes = [template_route("GET", "/jj/{id}")]
    assert sample_space(rules, routes).generic == "k"


def test_values_take_every_length_up_to_one_more_than_the_question_marks() -> None:
    rules = ruleset("GET /orders/??")
    route = template_route("GET", "/orders/{id}")
    space = sample_space(rules, [route])
    assert space.value_lengths == (1, 2, 3)
    assert generic_samples(route, space, [route]) == (
        Request("GET", "/orders/x"), Request("GET", "/orders/xx"), Request("GET", "/orders/xxx"),
    )


def test_proxy_samples_go_deeper_than_any_rule_and_any_route() -> None:
    rules = ruleset("GET /a/*/b")
    route = template_route("ANY", "/{proxy+}")
    space = sample_space(rules, [route])
    assert space.proxy_depths == (1, 2, 3, 4, 5)
    paths = {r.path for r in generic_samples(route, space, [route]) if r.method == "GET"}
    assert paths == {"/x", "/x/x", "/x/x/x", "/x/x/x/x", "/x/x/x/x/x"}


def test_samples_that_a_more_specific_route_takes_are_left_out() -> None:
    rules = ruleset("GET /*")
    proxy, param = template_route("GET", "/{proxy+}"), template_route("GET", "/{id}")
    space = sample_space(rules, [proxy, param])
    assert all(r.path.count("/") > 1 for r in generic_samples(proxy, space, [proxy, param]))


def test_witness_finds_the_one_request_a_literal_rule_matches() -> None:
    rules = ruleset("GET /orders/1")
    route = template_route("GET", "/orders/{id}")
    assert find_witness(rules.rules[0], route, "x", [route]) == Request("GET", "/orders/1")


def test_witness_crosses_segments_through_a_star() -> None:
    rules = ruleset("* /a*/c")
    route = template_route("POST", "/{x}/b/{y}")
    witness = find_witness(rules.rules[0], route, "x", [route])
    assert witness is not None and rules.rules[0].route.matches("POST", witness.path)
    assert route.path_matches(witness.path)


def test_witness_is_none_when_the_rule_cannot_reach_the_route() -> None:
    rules = ruleset("GET /orders/*/items")
    route = template_route("GET", "/orders/{id}")
    assert find_witness(rules.rules[0], route, "x", [route]) is None


# --- property: samples agree with brute force -------------------------------------------

RULE_SEGMENTS = ["a", "b", "*", "?", "a*", "*b", "{id}", "a?"]
ROUTE_SEGMENTS = ["a", "b", "{p}"]
VALUES = ["a", "b", "g", "ab", "ba", "gg", "aa", "bb", "agb"]


def all_requests(route, depth_limit=3):
    """Every request of the route with values from VALUES (proxy: up to depth_limit segments)."""
    choices = []
    for kind, text in route.segments:
        if kind == 0:
            choices.append([text])
        elif kind == 1:
            choices.append(VALUES)
        else:
            choices.append(["/".join(c) for d in range(1, depth_limit + 1) for c in itertools.product(VALUES[:4], repeat=d)])
    for method in route.methods:
        for values in itertools.product(*choices):
            yield Request(method, "/" + "/".join(values))


rule_paths = st.lists(st.sampled_from(RULE_SEGMENTS), min_size=1, max_size=3).map(lambda s: "/" + "/".join(s))
route_paths = st.tuples(
    st.lists(st.sampled_from(ROUTE_SEGMENTS), min_size=0, max_size=2),
    st.sampled_from(["{p}", "a", "{proxy+}"]),
).map(lambda t: "/" + "/".join([*t[0], t[1]]))


rule_list = st.lists(
    st.tuples(st.sampled_from(["GET", "POST", "*"]), rule_paths),
    min_size=1,
    max_size=3,
    unique_by=lambda rule: (rule[0], rule[1].replace("{id}", "*")),
)
route_list = st.lists(
    st.tuples(st.sampled_from(["GET", "GET", "ANY"]), route_paths),
    min_size=1,
    max_size=3,
    unique_by=lambda route: route[1],
)


@settings(max_examples=150, deadline=None)
@given(rule_list, route_list)
def test_coverage_and_reach_agree_with_brute_force(rule_specs, route_specs) -> None:
    rules = ruleset(*(f"{method} {path}" for method, path in rule_specs))
    routes = [template_route(method, path) for method, path in route_specs]
    views = {view.route: view for view in view_routes(rules, routes)}
    for route in routes:
        view = views[route]
        brute = [r for r in all_requests(route) if route_of(r, routes) == route]
        # a request that no rule matches makes the route uncovered
        if not all(rules.matching(r.method, r.path) for r in brute):
            assert view.uncovered
        for rule in rules.rules:
            matches = [rule.route.matches(r.method, r.path) for r in brute]
            # a rule that matches some request is seen reaching the route
            if any(matches):
                assert rule in view.reaching, (rule.route.text, route.text)
            # a rule said to match every request does
            if rule in view.always:
                assert all(matches), (rule.route.text, route.text)
        # and what the samples say is true of real requests
        for request, matched in zip(view.requests, view.matched):
            assert route_of(request, routes) == route
            assert matched == rules.matching(request.method, request.path)
