"""authorizer.policy_compaction: fewer resources, exactly the same allowed strings.

A policy with Allow globs A and Deny globs D allows ``(∪A) \\ (∪D)``. The properties check that
compaction keeps that set twice over: against every string up to :data:`LONGEST` characters
(brute force with the one glob matcher), and exactly, with the language search, on the resources
it dropped (a string it stopped allowing would be in a dropped Allow, outside what is left; a
string it started allowing would be in a dropped Deny, in a kept Allow, outside the kept Denies).
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.glob_language import Outcome, PathClass, PathGlob, find_string, matches
from authorizer.glob_pattern import compile_glob
from authorizer.policy_compaction import compact

LONGEST = 5
STRINGS = ["".join(chars) for n in range(LONGEST + 1) for chars in itertools.product("ab/c", repeat=n)]


def allowed(value: str, allow: list[str], deny: list[str]) -> bool:
    def matched(globs: list[str]) -> bool:
        return any(compile_glob(glob).matches(value) for glob in globs)

    return matched(allow) and not matched(deny)


def assert_same_allowed_strings(allow: list[str], deny: list[str], kept_allow: list[str], kept_deny: list[str]) -> None:
    for value in STRINGS:
        assert allowed(value, allow, deny) == allowed(value, kept_allow, kept_deny), value
    for glob in sorted(set(allow) - set(kept_allow)):
        assert find_string([glob], none_of=kept_allow + deny).outcome is Outcome.NONE, glob
    for glob in sorted(set(deny) - set(kept_deny)) if kept_allow else ():  # no Allow: nothing to deny
        assert find_string([glob], any_of=kept_allow, none_of=kept_deny).outcome is Outcome.NONE, glob


globs = st.text(alphabet="ab/*?", max_size=4)
policies = st.tuples(st.lists(globs, max_size=5, unique=True), st.lists(globs, max_size=5, unique=True))


@settings(deadline=None)
@given(policies)
def test_compaction_keeps_exactly_the_allowed_strings(policy: tuple[list[str], list[str]]) -> None:
    allow, deny = policy
    kept = compact(allow, deny)
    assert (kept.unknown, kept.finished) == (0, True)  # small globs never hit a bound
    assert set(kept.allow) <= set(allow) and set(kept.deny) <= set(deny)
    assert_same_allowed_strings(allow, deny, kept.allow, kept.deny)


path_globs = st.lists(
    st.one_of(st.sampled_from(list(PathClass)), st.text(alphabet="ab/*?", max_size=2)), max_size=4
).map(lambda parts: PathGlob(tuple(parts)))


@settings(deadline=None)
@given(policies, path_globs, st.integers(min_value=0, max_value=40))
def test_compaction_within_a_pattern_keeps_exactly_its_allowed_strings(
    policy: tuple[list[str], list[str]], within: PathGlob, states: int
) -> None:
    # GIVEN a policy compacted within the strings of a path glob, on a full or a small budget
    allow, deny = policy
    for kept in (compact(allow, deny, within=within), compact(allow, deny, within=within, budget_work=states)):
        # THEN each string of the pattern is allowed as before (outside it, anything may change)
        assert set(kept.allow) <= set(allow) and set(kept.deny) <= set(deny)
        for value in STRINGS:
            if matches(within, value):
                assert allowed(value, allow, deny) == allowed(value, kept.allow, kept.deny), value
        # AND exactly so: no string of the pattern was lost with a dropped Allow or freed with a dropped Deny
        for glob in sorted(set(allow) - set(kept.allow)):
            assert find_string([glob, within], none_of=kept.allow + deny).outcome is Outcome.NONE, glob
        for glob in sorted(set(deny) - set(kept.deny)) if kept.allow else ():
            assert find_string([glob, within], any_of=kept.allow, none_of=kept.deny).outcome is Outcome.NONE, glob


def test_compaction_within_a_route_drops_what_only_other_paths_need() -> None:
    # GIVEN GET /orders/{id}'s paths, and a policy that denies deeper paths the route never has
    route = PathGlob(("/orders/", PathClass.SEGMENT_CHAR, PathClass.SEGMENT_RUN, PathClass.OPTIONAL_SLASH))
    kept = compact(["/orders/*", "/orders/*/items"], ["/orders/*/refunds", "/admin/*"], within=route)
    # THEN one Allow is left, and no Deny: none of them meets a path of the route
    assert (kept.allow, kept.deny, kept.unknown, kept.finished) == (["/orders/*"], [], 0, True)
    # AND without the route, the Deny that takes paths away stays
    assert compact(["/orders/*", "/orders/*/items"], ["/orders/*/refunds", "/admin/*"]).deny == ["/orders/*/refunds"]


@settings(deadline=None)
@given(policies, st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=40))
def test_compaction_on_a_small_budget_keeps_more_and_stays_exact(
    policy: tuple[list[str], list[str]], pairs: int, states: int
) -> None:
    # GIVEN a budget too small to answer every question
    allow, deny = policy
    kept = compact(allow, deny, budget_pairs=pairs, budget_work=states)
    # THEN the unanswered questions keep their resources, and the allowed strings are the same
    assert_same_allowed_strings(allow, deny, kept.allow, kept.deny)


@settings(deadline=None)
@given(policies, st.randoms(use_true_random=False))
def test_compaction_is_idempotent_and_ignores_input_order(
    policy: tuple[list[str], list[str]], rnd: random.Random
) -> None:
    allow, deny = policy
    kept = compact(allow, deny)
    shuffled_allow, shuffled_deny = allow[:], deny[:]
    rnd.shuffle(shuffled_allow)
    rnd.shuffle(shuffled_deny)
    again = compact(shuffled_allow, shuffled_deny)
    assert (again.allow, again.deny) == (kept.allow, kept.deny)
    twice = compact(kept.allow, kept.deny)
    assert (twice.allow, twice.deny) == (kept.allow, kept.deny)


@pytest.mark.parametrize(
    "allow, deny, expected_allow, expected_deny",
    [
        # an Allow inside another Allow adds nothing
        (["GET/*", "GET/orders/*"], [], ["GET/*"], []),
        (["GET/v1", "GET/v?"], ["GET/v2"], ["GET/v?"], ["GET/v2"]),
        # a Deny no Allow overlaps adds nothing: the request is denied anyway
        (["GET/a"], ["GET/b", "POST/a", "GET/a/*"], ["GET/a"], []),
        # a Deny that carves a hole out of an Allow stays
        (["GET/orders/*"], ["GET/orders/*/refunds", "GET/admin/*"], ["GET/orders/*"], ["GET/orders/*/refunds"]),
        # an Allow wholly denied goes, and then so does its Deny: nothing is allowed
        (["GET/orders/1"], ["GET/orders/*"], [], []),
        # a broad Allow and the few Denies it needs
        (["* /x".replace(" ", ""), "GET/x/a", "GET/x/b"], ["GET/x/c"], ["*/x", "GET/x/a", "GET/x/b"], []),
        (["GET/*", "GET/x/a", "GET/x/b", "POST/y"], ["GET/x/c", "POST/z"], ["GET/*", "POST/y"], ["GET/x/c"]),
        # an Allow covered only by the union of another Allow and a Deny
        (["GET/**", "GET/", "GET/?*"], [], ["GET/", "GET/?*"], []),
        (["GET/x*", "GET/x?*"], ["GET/x"], ["GET/x*"], ["GET/x"]),
        # case matters: /Orders is not inside /orders/*
        (["GET/orders*", "GET/Orders"], [], ["GET/Orders", "GET/orders*"], []),
        # '?' is one character: /v?/x is not inside /v/*
        (["GET/v/*", "GET/v?/x"], [], ["GET/v/*", "GET/v?/x"], []),
    ],
)
def test_compaction_on_hand_picked_policies(
    allow: list[str], deny: list[str], expected_allow: list[str], expected_deny: list[str]
) -> None:
    kept = compact(allow, deny)
    assert (kept.allow, kept.deny, kept.unknown, kept.finished) == (expected_allow, expected_deny, 0, True)


@pytest.mark.parametrize("budget", [{"budget_work": 0}, {"budget_pairs": 0}], ids=["no search", "no pairs"])
def test_a_spent_budget_keeps_every_resource_not_yet_dropped(budget: dict[str, int]) -> None:
    # GIVEN no budget to search, or none to examine pairs
    kept = compact(["GET/*", "GET/orders/*"], ["GET/admin/*", "POST/x"], **budget)
    # THEN compaction stops at once and keeps everything
    assert (kept.allow, kept.deny, kept.finished) == (["GET/*", "GET/orders/*"], ["GET/admin/*", "POST/x"], False)


def test_a_budget_spent_among_the_denies_keeps_the_denies_not_yet_decided() -> None:
    # GIVEN a budget that lasts for the Allows but not for every Deny
    allow, deny = ["GET/a/*"], ["GET/a/x*", "GET/a/y*", "GET/a/xy*", "GET/b"]
    full = compact(allow, deny)
    # (with enough budget: GET/a/xy* lies inside GET/a/x*, and GET/b touches no Allow)
    assert (full.allow, full.deny, full.finished) == (["GET/a/*"], ["GET/a/x*", "GET/a/y*"], True)
    # WHEN the budget runs out part way
    for work in range(full.work):
        kept = compact(allow, deny, budget_work=work)
        # THEN what is kept still allows exactly the same strings
        assert_same_allowed_strings(allow, deny, kept.allow, kept.deny)
        assert set(kept.deny) >= set(full.deny)
