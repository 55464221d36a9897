"""authorizer.route: matching without a regex gives exactly the regex's (IAM glob) answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.route import glob_to_regex, parse_route, star_glob_matches

# A small alphabet makes overlaps between literal parts and wildcards frequent.
PATTERNS = st.text(alphabet="ab/*?", max_size=10).map(lambda text: "/" + text)
VALUES = st.text(alphabet="ab/", max_size=12).map(lambda text: "/" + text)


@settings(max_examples=1000, deadline=None)
@given(pattern=PATTERNS.filter(lambda p: "?" not in p), value=VALUES)
def test_star_glob_matches_exactly_when_the_iam_regex_matches(pattern: str, value: str) -> None:
    expected = bool(glob_to_regex(pattern).fullmatch(value))
    assert star_glob_matches(tuple(pattern.split("*")), value) is expected


@settings(max_examples=1000, deadline=None)
@given(pattern=PATTERNS, value=VALUES, method=st.sampled_from(["GET", "POST", "FOO"]))
def test_route_matches_exactly_when_method_and_iam_regex_match(pattern: str, value: str, method: str) -> None:
    route = parse_route(f"GET {pattern}")
    expected = method == "GET" and bool(glob_to_regex(pattern).fullmatch(value))
    assert route.matches(method, value) is expected


def test_star_glob_needs_room_for_both_prefix_and_suffix() -> None:
    # GIVEN "/a*a/" WHEN the value is "/a/" (prefix and suffix would overlap) THEN no match
    assert star_glob_matches(("/a", "a/"), "/a/") is False
    assert star_glob_matches(("/a", "a/"), "/aa/") is True


def test_parameters_match_like_stars_and_regex_stays_available() -> None:
    route = parse_route("GET /orders/{id}/items")
    assert route.star_parts == ("/orders/", "/items")
    assert route.matches("GET", "/orders/1/2/items") is True
    assert route.matches("GET", "/orders/1/items/x") is False
    assert route.regex.pattern == glob_to_regex("/orders/*/items").pattern
