"""Peak RSS of a warm container after many decisions, measured in a child process."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.world import World, child_environment, python_executable


@dataclass(frozen=True)
class Memory:
    decisions: int
    peak_rss_mib: float


def measure_memory(world: World, tokens: list[str]) -> Memory:
    with tempfile.TemporaryDirectory() as folder:
        token_file = Path(folder) / "tokens"
        token_file.write_text("\n".join(tokens) + "\n")
        done = subprocess.run(
            [python_executable(), "-m", "bench.memory_child", str(token_file)],
            env=child_environment(world.environment), capture_output=True, text=True, check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Memory(decisions=result["decisions"], peak_rss_mib=result["peak_rss_mib"])
