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


@dataclass(frozen=True)
class Profile:
    top: list[ProfileRow]  # by own time
    parts: list[tuple[str, float]]  # the decision split into its parts, share of the handler's time
    unavailable: str = ""  # why there are no shares (the profiler could not run or saw no time)


# (part, functions whose cumulative time it adds, functions whose cumulative time it takes away)
_LOG_LINE = ("metrics.py:decision_document", "decision_log.py:as_log_fields", "logger.py:info", "logger.py:error")
_PARTS = (
    ("signature check (cryptography, through PyJWT's algorithm)", ("RSAPublicKey' objects>",), ()),
    ("token shape and claims (authorizer/tokens.py)",
     ("tokens.py:decompose_unverified_jwt", "tokens.py:verify_jwt"), ("RSAPublicKey' objects>",)),
    ("memo of verified tokens and their answers, ARN, rules, policy memo (engine.py)",
     ("engine.py:authorize",), ("tokens.py:decompose_unverified_jwt", "tokens.py:verify_jwt")),
    ("decision log line with its EMF metrics (fields, logging record, formatter, write)", _LOG_LINE, ()),
    ("handler shell: record, error mapping (app.py)",
     ("app.py:lambda_handler",), ("engine.py:authorize", *_LOG_LINE)),
)


def _cumulative(stats: dict, marker: str) -> float:
    if marker.endswith("objects>"):
        return sum(e[3] for (f, _, name), e in stats.items() if f == "~" and name.endswith(marker))
    filename, function = marker.split(":")
    return sum(
        e[3] for (f, _, name), e in stats.items() if f.endswith("/" + filename) and name == function
    )


def profile_fresh_decisions(world: World, tokens: list[str], top: int = 15) -> Profile:
    """Profile ``lambda_handler`` over ``tokens`` (the first call warms the container, unprofiled).

    The profile is information, never a figure with a goal: when cProfile cannot run (another
    profiling tool holds the interpreter's profiler slot) or records no time for the handler (a
    timer too coarse for a few short decisions), the profile says so instead of failing the bench.
    """
    events = [token_event(t) for t in tokens]
    context = FakeLambdaContext()
    profiler = cProfile.Profile()
    with configured_app(world.environment) as app:
        app.lambda_handler(events[0], context)
        try:
            profiler.enable()
        except ValueError as error:  # Python 3.12+: "Another profiling tool is already active"
            return Profile([], [], f"cProfile could not start: {error}")
        try:
            for event in events[1:]:
                app.lambda_handler(event, context)
        finally:
            profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return summarize(stats, decisions=len(events) - 1, top=top)


def summarize(stats: dict, decisions: int, top: int) -> Profile:
    """Rows by own time and the decision's parts, from pstats' raw ``stats`` of ``decisions`` calls."""
    whole = sum(entry[2] for entry in stats.values())
    handler = _cumulative(stats, "app.py:lambda_handler")
    if decisions <= 0 or whole <= 0 or handler <= 0:
        return Profile([], [], f"the profiler recorded no time for lambda_handler over {decisions} decisions")
    rows = [
        ProfileRow(_name(key), entry[1] / decisions, entry[2] / whole, entry[3] / whole)
        for key, entry in stats.items()
    ]
    rows.sort(key=lambda row: row.own_share, reverse=True)
    parts = [
        (name, (sum(_cumulative(stats, m) for m in plus) - sum(_cumulative(stats, m) for m in minus)) / handler)
        for name, plus, minus in _PARTS
    ]
    return Profile(rows[:top], parts)
