"""authorizer.route: a route matches its verbs, and its path as the glob of its IAM form."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.glob_pattern import compile_glob
from authorizer.route import parse_route

# A small alphabet makes overlaps between literal parts and wildcards frequent.
PATTERNS = st.text(alphabet="ab/*?", max_size=10).map(lambda text: "/" + text)
VALUES = st.text(alphabet="ab/", max_size=12).map(lambda text: "/" + text)


@settings(max_examples=1000, deadline=None)
@given(pattern=PATTERNS, value=VALUES, method=st.sampled_from(["GET", "POST", "FOO"]))
def test_route_matches_exactly_when_method_and_glob_match(pattern: str, value: str, method: str) -> None:
    route = parse_route(f"GET {pattern}")
    expected = method == "GET" and compile_glob(pattern).matches(value)
    assert route.matches(method, value) is expected


def test_parameters_match_like_stars() -> None:
    route = parse_route("GET /orders/{id}/items")
    assert route.pattern == "/orders/*/items"
    assert route.glob == compile_glob("/orders/*/items")
    assert route.matches("GET", "/orders/1/2/items") is True
    assert route.matches("GET", "/orders/1/items/x") is False


def test_question_mark_matches_one_character_slash_included() -> None:
    route = parse_route("GET /v?/{a}/export")
    assert route.matches("GET", "/v1/a/export") is True
    assert route.matches("GET", "/v//a/export") is True
    assert route.matches("GET", "/v/a/export") is False


def test_routes_are_equal_by_method_path_and_pattern_not_by_key() -> None:
    # GIVEN one route parsed twice, and a route with the same key (pattern) written another way
    route, again, star = parse_route("GET /orders/{id}"), parse_route("GET /orders/{id}"), parse_route("GET /orders/*")
    # THEN the first two are equal and hash alike; the third has their key but is another route
    assert (route == again, hash(route) == hash(again), route.glob == again.glob) == (True, True, True)
    assert (star.key == route.key, star == route, parse_route("POST /orders/{id}") == route) == (True, False, False)
