"""Interleaved timing: every case runs once per round, so drift hits all cases alike."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping

# A case runs one batch and returns how many calls it made.
Case = Callable[[int], int]


def per_call_medians(cases: Mapping[str, Case], rounds: int) -> dict[str, float]:
    """Median seconds per call of each case over ``rounds`` interleaved rounds.

    The case receives the round number, so it can use a fresh slice of tokens each round.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for round_number in range(rounds):
        for name, case in cases.items():
            gc.collect()
            started = time.perf_counter()
            calls = case(round_number)
            samples[name].append((time.perf_counter() - started) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def median_seconds(
    action: Callable[[], object], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Median time of ``action`` over ``repeats`` runs, by ``clock`` (wall time unless told)."""
    values = []
    for _ in range(repeats):
        started = clock()
        action()
        values.append(clock() - started)
    return statistics.median(values)
