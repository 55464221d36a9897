"""The profile of a fresh-token decision is information: it never fails the bench.

CI once ran the bench smoke where cProfile recorded no time for ``lambda_handler`` and the share
computation divided by zero; these tests pin the two ways a profile can be missing.
"""

from __future__ import annotations

import cProfile

from bench.profile import profile_fresh_decisions, summarize
from bench.world import mint_tokens, running_world

HANDLER = ("/var/task/authorizer/app.py", 163, "lambda_handler")
ENGINE = ("/var/task/authorizer/engine.py", 90, "authorize")
DISABLE = ("~", 0, "<method 'disable' of '_lsprof.Profiler' objects>")


def test_a_profile_that_saw_no_handler_time_says_so_instead_of_dividing_by_zero() -> None:
    # GIVEN raw stats where only the profiler's own disable() caught a clock tick
    # (stats values: primitive calls, calls, own time, cumulative time, callers)
    stats = {HANDLER: (19, 19, 0.0, 0.0, {}), DISABLE: (1, 1, 0.001, 0.001, {})}
    # WHEN summarized THEN no rows, no parts and a reason
    profile = summarize(stats, decisions=19, top=15)
    assert (profile.top, profile.parts) == ([], [])
    assert profile.unavailable == "the profiler recorded no time for lambda_handler over 19 decisions"
    assert summarize({}, decisions=19, top=15).unavailable


def test_a_profile_with_handler_time_splits_it_into_parts() -> None:
    # GIVEN a handler of 10 ms of which the engine took 6 ms
    stats = {HANDLER: (2, 2, 0.004, 0.010, {}), ENGINE: (2, 2, 0.006, 0.006, {})}
    profile = summarize(stats, decisions=2, top=15)
    parts = dict(profile.parts)
    assert profile.unavailable == ""
    assert parts["handler shell: record, error mapping (app.py)"] == 0.4
    assert round(parts["memo of verified tokens and their answers, ARN, rules, policy memo (engine.py)"], 6) == 0.6
    assert [row.calls_per_decision for row in profile.top] == [1.0, 1.0]


def test_the_profile_is_reported_unavailable_when_another_profiler_is_active() -> None:
    # GIVEN an outer cProfile holding the interpreter's profiler slot (Python 3.12+)
    with running_world() as world:
        tokens = mint_tokens(world.key, 3)
        outer = cProfile.Profile()
        try:
            outer.enable()
        except ValueError:  # a tool of the machine running the tests holds it already
            outer = None
        try:
            profile = profile_fresh_decisions(world, tokens)
        finally:
            if outer is not None:
                outer.disable()
    # THEN the bench goes on with a reason instead of an exception
    assert profile.top == [] and "could not start" in profile.unavailable

