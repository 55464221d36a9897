"""authorizer.route_index: the index only skips rules that cannot match (same answers as a full scan)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.route_index import RouteIndex, first_segment, literal_first_segment
from authorizer.rules import RuleSet, compile_rules

METHODS = st.sampled_from(["*", "GET", "POST", "DELETE"])
PATHS = st.text(alphabet="ab/*?", min_size=0, max_size=8).map(lambda text: "/" + text)
REQUEST_PATHS = st.text(alphabet="ab/", max_size=8).map(lambda text: "/" + text)
REQUEST_METHODS = st.sampled_from(["GET", "POST", "DELETE", "PUT", "FOO"])


def ruleset(routes: list[tuple[str, str]]) -> RuleSet:
    lines = ["version: 1", "rules:"]
    for position, (method, path) in enumerate(routes):
        lines += [f'  - route: "{method} {path}"', f"    scopes: [s{position}]"]
    return compile_rules("\n".join(lines) + "\n", "generated")


def scanned(rules: RuleSet, method: str, path: str) -> tuple:
    return tuple(rule for rule in rules.rules if rule.route.matches(method, path))


@settings(max_examples=400, deadline=None)
@given(
    routes=st.lists(st.tuples(METHODS, PATHS), min_size=1, max_size=12, unique_by=lambda r: r),
    requests=st.lists(st.tuples(REQUEST_METHODS, REQUEST_PATHS), min_size=1, max_size=12),
)
def test_indexed_matching_equals_a_full_scan_in_file_order(routes, requests) -> None:
    rules = ruleset(routes)
    for method, path in requests:
        assert rules.matching(method, path) == scanned(rules, method, path)


def test_literal_first_segment_of_patterns() -> None:
    assert literal_first_segment("/orders/*") == "orders"
    assert literal_first_segment("/orders") == "orders"
    assert literal_first_segment("/") == ""
    assert literal_first_segment("/ord*/x") is None
    assert literal_first_segment("/*") is None
    assert literal_first_segment("/v?/x") is None
    assert literal_first_segment("/orders*") is None


def test_first_segment_of_paths() -> None:
    assert [first_segment(p) for p in ("/", "/a", "/a/b", "//b")] == ["", "a", "a", ""]


def test_unknown_verbs_meet_no_rule_not_even_star_method_rules() -> None:
    # GIVEN a GET rule and a * rule on the same path WHEN the verb is not one of the seven
    # THEN no rule is a candidate: "*" means the seven verbs, as the policy expands it
    rules = ruleset([("GET", "/a"), ("*", "/a")])
    index = RouteIndex.build(rules.rules)
    assert [rule.route.text for rule in index.candidates("FOO", "/a")] == []
    assert [rule.route.text for rule in index.candidates("GET", "/a")] == ["GET /a", "* /a"]
