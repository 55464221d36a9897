"""authorizer.glob_language: exact answers about every string a set of globs matches.

The oracle of the property is brute force: every string over ``a``, ``b``, ``/`` and ``c`` up to
:data:`LONGEST` characters, each tested with the one glob matcher (:mod:`authorizer.glob_pattern`).
The globs are written over ``a``, ``b``, ``/``, ``*`` and ``?``, so ``c`` stands for every
character they do not name (a glob treats all of those alike). The search answers with a
SHORTEST witness (breadth-first), so the check is tight up to the bound both ways: a witness of
length ``k <= LONGEST`` must be the oracle's shortest, and an answer "none" (or a witness longer
than LONGEST) means the oracle finds nothing up to LONGEST. That "none" also holds past
LONGEST rests on the search visiting every state of a finite automaton, and on that automaton
being the globs' own: the oracle checks it on every string it enumerates.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.glob_language import Outcome, PathClass, PathGlob, find_string, matches
from authorizer.glob_pattern import compile_glob

LONGEST = 6
STRINGS = ["".join(chars) for n in range(LONGEST + 1) for chars in itertools.product("ab/c", repeat=n)]


def satisfies(value: str, all_of: list[str], any_of: list[str], none_of: list[str]) -> bool:
    if not all(compile_glob(glob).matches(value) for glob in all_of):
        return False
    if any_of and not any(compile_glob(glob).matches(value) for glob in any_of):
        return False
    return not any(compile_glob(glob).matches(value) for glob in none_of)


def shortest_by_brute_force(all_of: list[str], any_of: list[str], none_of: list[str]) -> int | None:
    return next((len(s) for s in STRINGS if satisfies(s, all_of, any_of, none_of)), None)


globs = st.text(alphabet="ab/*?", max_size=5)


@settings(deadline=None)
@given(
    all_of=st.lists(globs, max_size=2),
    any_of=st.lists(globs, max_size=2),
    none_of=st.lists(globs, max_size=3),
)
def test_search_agrees_with_every_string_up_to_the_bound(
    all_of: list[str], any_of: list[str], none_of: list[str]
) -> None:
    # WHEN the search answers a random question
    answer = find_string(all_of, any_of, none_of)
    shortest = shortest_by_brute_force(all_of, any_of, none_of)
    # THEN it answers (small globs never hit the bound) ...
    assert answer.outcome is not Outcome.UNKNOWN
    if answer.outcome is Outcome.FOUND:
        # ... with a witness that really has the property, as short as the shortest one
        assert answer.witness is not None and satisfies(answer.witness, all_of, any_of, none_of)
        assert shortest == (len(answer.witness) if len(answer.witness) <= LONGEST else None)
    else:
        # ... or "none", and there is none
        assert (answer.witness, shortest) == (None, None)


@pytest.mark.parametrize(
    "all_of, any_of, none_of, expected",
    [
        # containment: no string of the first outside the second
        (["GET/orders/*"], [], ["GET/*"], None),
        (["GET/*"], [], ["GET/orders/*"], "GET/"),
        (["GET/orders/*/items"], [], ["GET/orders/*"], None),
        (["GET/orders/*"], [], ["GET/orders/?*"], "GET/orders/"),  # '*' may be empty
        # '*' crosses '/'
        (["/a/b/c"], [], ["/a*"], None),
        (["/a/*/c"], [], ["/a/*"], None),
        # overlap
        (["GET/a*", "GET/*b"], [], [], "GET/ab"),
        (["GET/a*", "GET/b*"], [], [], None),
        (["GET/x", "POST/x"], [], [], None),  # verbs are literal
        # '?' is exactly one character, '/' included
        (["/v?/x", "/v/x"], [], [], None),
        (["/v?/x", "/v//x"], [], [], "/v//x"),
        (["/a?"], [], ["/a/"], "/a#"),  # the others are one symbol, spelled with a character no glob names
        (["/?"], [], ["//", "/#"], "/$"),  # ... which is one none of them names
        (["/??"], [], ["/*/*"], "/##"),
        # case-sensitive
        (["/Orders"], [], ["/orders"], "/Orders"),
        (["/O*", "/o*"], [], [], None),
        # the empty string
        ([""], [], [], ""),
        (["*"], [], ["?*"], ""),
        ([], [], ["*"], None),
        # a union covers what no single glob does
        (["/a*"], [], ["/a", "/a?*"], None),
        (["/a*"], [], ["/a?*"], "/a"),
        # any_of: at least one of them
        (["/x/*"], ["/y*", "/x/a*"], ["/x/ab*"], "/x/a"),
        (["/x/*"], ["/y*", "/z*"], [], None),
        (["/x/*"], ["/x/a*"], ["/x/a", "/x/a?*"], None),
    ],
)
def test_search_gives_the_exact_answer_on_hand_picked_globs(
    all_of: list[str], any_of: list[str], none_of: list[str], expected: str | None
) -> None:
    answer = find_string(all_of, any_of, none_of)
    assert (answer.outcome, answer.witness) == (
        (Outcome.NONE, None) if expected is None else (Outcome.FOUND, expected)
    )


def test_search_answers_unknown_rather_than_guess_when_its_bound_is_hit() -> None:
    # GIVEN a question whose only answers are long: a string of 12 characters or more
    question = (["/*"], [], ["/", "/?", "/??", "/???", "/????", "/?????", "/??????", "/???????",
                             "/????????", "/?????????", "/??????????"])
    # WHEN the search may visit only a few state sets THEN it says it does not know
    assert find_string(*question, max_states=5).outcome is Outcome.UNKNOWN
    # AND with room enough it finds the shortest answer
    assert find_string(*question).witness == "/" + "#" * 11


# --- path globs: IAM globs with path classes ----------------------------------------------------

SEGMENT = (PathClass.SEGMENT_CHAR, PathClass.SEGMENT_RUN)  # one or more characters, no '/'
CLASS_REGEX = {PathClass.SEGMENT_CHAR: "[^/]", PathClass.SEGMENT_RUN: "[^/]*", PathClass.OPTIONAL_SLASH: "/?"}


def regex_of(pattern: str | PathGlob) -> re.Pattern[str]:
    """An oracle independent of the automaton: the pattern as a regular expression."""
    parts = [pattern] if isinstance(pattern, str) else pattern.parts
    text = "".join(
        CLASS_REGEX[part] if isinstance(part, PathClass)
        else "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part)
        for part in parts
    )
    return re.compile(text, re.DOTALL)


def satisfies_patterns(value: str, all_of: list, any_of: list, none_of: list) -> bool:
    if not all(regex_of(p).fullmatch(value) for p in all_of):
        return False
    if any_of and not any(regex_of(p).fullmatch(value) for p in any_of):
        return False
    return not any(regex_of(p).fullmatch(value) for p in none_of)


path_globs = st.lists(
    st.one_of(st.sampled_from(list(PathClass)), st.text(alphabet="ab/*?", max_size=2)), max_size=4
).map(lambda parts: PathGlob(tuple(parts)))
patterns = st.one_of(globs, path_globs)


@settings(deadline=None)
@given(
    all_of=st.lists(patterns, max_size=2),
    any_of=st.lists(patterns, max_size=2),
    none_of=st.lists(patterns, max_size=2),
)
def test_search_with_path_globs_agrees_with_every_string_up_to_the_bound(
    all_of: list, any_of: list, none_of: list
) -> None:
    answer = find_string(all_of, any_of, none_of)
    shortest = next((len(s) for s in STRINGS if satisfies_patterns(s, all_of, any_of, none_of)), None)
    assert answer.outcome is not Outcome.UNKNOWN
    if answer.outcome is Outcome.FOUND:
        assert answer.witness is not None and satisfies_patterns(answer.witness, all_of, any_of, none_of)
        assert shortest == (len(answer.witness) if len(answer.witness) <= LONGEST else None)
    else:
        assert (answer.witness, shortest) == (None, None)


@settings(deadline=None)
@given(pattern=patterns)
def test_matches_agrees_with_the_regular_expression_on_every_string(pattern: str | PathGlob) -> None:
    expected = regex_of(pattern)
    assert [s for s in STRINGS if matches(pattern, s)] == [s for s in STRINGS if expected.fullmatch(s)]


@pytest.mark.parametrize(
    "all_of, none_of, expected",
    [
        # a segment never holds '/': /orders/{id} lies within /orders/*, and misses /orders/*/items
        ([PathGlob(("/orders/", *SEGMENT))], ["/orders/*"], None),
        ([PathGlob(("/orders/", *SEGMENT)), "/orders/*/items"], [], None),
        ([PathGlob(("/orders/", *SEGMENT)), "/orders/*/items*"], [], None),
        # ... is never empty, and the optional '/' adds exactly one ending
        ([PathGlob(("/orders/", *SEGMENT, PathClass.OPTIONAL_SLASH))], ["/orders/?*"], None),
        ([PathGlob(("/orders", PathClass.OPTIONAL_SLASH))], ["/orders"], "/orders/"),
        ([PathGlob(("/orders", PathClass.OPTIONAL_SLASH))], ["/orders", "/orders/"], None),
        # '/' is named as soon as a class asks about it, so the witness is spelled right
        ([PathGlob(("/", *SEGMENT))], ["/a*"], "/#"),
        ([PathGlob(("/", PathClass.SEGMENT_CHAR, "*"))], ["/?"], "/##"),
    ],
)
def test_path_globs_give_the_exact_answer_on_hand_picked_questions(all_of: list, none_of: list, expected: str | None) -> None:
    answer = find_string(all_of, (), none_of)
    assert (answer.outcome, answer.witness) == (
        (Outcome.NONE, None) if expected is None else (Outcome.FOUND, expected)
    )


def test_matches_costs_linear_time_on_a_long_value() -> None:
    pattern = PathGlob(("/a/", *SEGMENT, "/b/", *SEGMENT, PathClass.OPTIONAL_SLASH))
    assert matches(pattern, "/a/" + "x" * 50_000 + "/b/y/")
    assert not matches(pattern, "/a/" + "x/" * 25_000 + "b/y")
