"""Where a fresh-token decision spends its time: cProfile of lambda_handler, grouped by function."""

from __future__ import annotations

import cProfile
import pstats
from dataclasses import dataclass
from pathlib import Path

from bench.world import World, configured_app, token_event
from tests.support.lambda_context import FakeLambdaContext


@dataclass(frozen=True)
class ProfileRow:
    function: str
    calls_per_decision: float
    own_share: float  # of the whole profiled time, excluding callees
    total_share: float  # including callees


def _name(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    path = Path(filename)
    for anchor in ("authorizer", "aws_lambda_powertools", "logging", "json", "jwt", "base64", "hashlib"):
        if anchor in path.parts:
            start = path.parts.index(anchor)
            return f"{'/'.join(path.parts[start:])}:{line}({function})"
    return f"{path.name}:{line}({function})"


def profile_fresh_decisions(world: World, tokens: list[str], top: int = 15) -> list[ProfileRow]:
    events = [token_event(t) for t in tokens]
    context = FakeLambdaContext()
    with configured_app(world.environment) as app:
        app.lambda_handler(events[0], context)
        profiler = cProfile.Profile()
        profiler.enable()
        for event in events[1:]:
            app.lambda_handler(event, context)
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    decisions = len(events) - 1
    whole = sum(entry[2] for entry in stats.values())
    rows = [
        ProfileRow(_name(key), entry[1] / decisions, entry[2] / whole, entry[3] / whole)
        for key, entry in stats.items()
    ]
    rows.sort(key=lambda row: row.own_share, reverse=True)
    return rows[:top]
