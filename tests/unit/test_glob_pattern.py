"""authorizer.glob_pattern: the linear matcher gives exactly IAM's glob answers.

The oracle is the definition of an IAM glob written as a recursion over (glob position, value
position), memoised: obviously right, and quadratic, which is fine for short strings.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.glob_pattern import compile_glob

# A small alphabet makes overlaps between literal chunks, '?' and '*' frequent.
GLOBS = st.text(alphabet="ab/*?", max_size=12)
VALUES = st.text(alphabet="ab/*?", max_size=14)


def reference_matches(pattern: str, value: str) -> bool:
    """IAM's definition: '*' any run ('/' included), '?' one character, else itself; whole string."""

    @cache
    def from_here(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(value)
        if pattern[i] == "*":
            return from_here(i + 1, j) or (j < len(value) and from_here(i, j + 1))
        return j < len(value) and pattern[i] in ("?", value[j]) and from_here(i + 1, j + 1)

    return from_here(0, 0)


@st.composite
def filled(draw: st.DrawFn, pattern_strategy: st.SearchStrategy[str] = GLOBS) -> tuple[str, str]:
    """A glob and a value made from it (each '*' and '?' filled), then perhaps changed a little."""
    pattern = draw(pattern_strategy)
    pieces = []
    for char in pattern:
        if char == "*":
            pieces.append(draw(st.text(alphabet="ab/", max_size=4)))
        elif char == "?":
            pieces.append(draw(st.sampled_from("ab/*?")))
        else:
            pieces.append(char)
    value = "".join(pieces)
    if value and draw(st.booleans()):
        at = draw(st.integers(0, len(value) - 1))
        value = value[:at] + draw(st.sampled_from(["", "a", "b", "/", "ab"])) + value[at + 1 :]
    return pattern, value


@settings(max_examples=2000, deadline=None)
@given(pattern=GLOBS, value=VALUES)
def test_glob_matches_exactly_when_the_reference_does_on_random_values(pattern: str, value: str) -> None:
    assert compile_glob(pattern).matches(value) is reference_matches(pattern, value)


@settings(max_examples=2000, deadline=None)
@given(case=filled())
def test_glob_matches_exactly_when_the_reference_does_on_values_built_from_the_glob(case: tuple[str, str]) -> None:
    pattern, value = case
    assert compile_glob(pattern).matches(value) is reference_matches(pattern, value)


@pytest.mark.parametrize(
    "pattern, value, expected",
    [
        ("/orders/*", "/orders/1/items", True),  # '*' crosses '/'
        ("/orders/*", "/orders", False),  # whole-string
        ("/orders/*", "/orders/", True),  # '*' may be empty
        ("/v?/x", "/v//x", True),  # '?' is any one character, '/' included
        ("/v?/x", "/v/x", False),  # ... but exactly one
        ("/v?/x", "/v12/x", False),
        ("/Orders", "/orders", False),  # case-sensitive
        ("/a*a/", "/a/", False),  # prefix and suffix may not overlap
        ("/a*a/", "/aa/", True),
        ("*?a?*", "xxaxx", True),
        ("a?b*a?b", "a1ba2b", True),
        ("a?b*a?b", "a1b2b", False),  # the two fixed segments may not share the 'b'
        ("*", "", True),
        ("", "", True),
        ("?", "", False),
        ("/x", "/x*", False),  # a '*' in the value is a literal character
        ("/*", "/*", True),
    ],
)
def test_glob_answers_on_the_cases_that_define_iam_semantics(pattern: str, value: str, expected: bool) -> None:
    assert compile_glob(pattern).matches(value) is expected
    assert reference_matches(pattern, value) is expected


def test_a_middle_segment_must_fit_between_the_prefix_and_the_suffix() -> None:
    # GIVEN a middle segment 'a?a' and a suffix 'ab' made of the same letters
    glob = compile_glob("x*a?a*ab")
    # THEN it matches only when the segment fits without overlapping the suffix
    assert glob.matches("xaaaab") is reference_matches("x*a?a*ab", "xaaaab") is True
    assert glob.matches("xaaab") is reference_matches("x*a?a*ab", "xaaab") is False
