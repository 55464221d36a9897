"""Cold start of scopegate against the 20-line PyJWT authorizer, each in fresh processes."""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.world import World, child_environment, python_executable

AUTHORIZERS = ("scopegate", "minimal")


@dataclass(frozen=True)
class ColdStart:
    wall_ms: dict[str, float]  # median, process spawn to exit
    in_process_ms: dict[str, float]  # median, first line of the child to its first decision
    runs: int
    ratio: float  # median over runs of scopegate's wall time / the minimal one's in the same run


def _one_cold_start(which: str, token_file: Path, env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [python_executable(), "-m", "bench.cold_child", which, str(token_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"cold start of {which} failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if not result["allowed"]:
        raise RuntimeError(f"cold start of {which} did not allow a valid token")
    return wall_ms, result["in_process_ms"]


def measure_cold_start(world: World, token: str, runs: int) -> ColdStart:
    """Alternate the two authorizers ``runs`` times each (after one unmeasured run to warm .pyc)."""
    env = child_environment(world.environment)
    walls: dict[str, list[float]] = {name: [] for name in AUTHORIZERS}
    inside: dict[str, list[float]] = {name: [] for name in AUTHORIZERS}
    with tempfile.TemporaryDirectory() as folder:
        token_file = Path(folder) / "token"
        token_file.write_text(token)
        for which in AUTHORIZERS:
            _one_cold_start(which, token_file, env)
        for _ in range(runs):
            for which in AUTHORIZERS:
                wall_ms, in_process_ms = _one_cold_start(which, token_file, env)
                walls[which].append(wall_ms)
                inside[which].append(in_process_ms)
    return ColdStart(
        wall_ms={k: statistics.median(v) for k, v in walls.items()},
        in_process_ms={k: statistics.median(v) for k, v in inside.items()},
        runs=runs,
        ratio=statistics.median(ours / theirs for ours, theirs in zip(walls["scopegate"], walls["minimal"])),
    )
