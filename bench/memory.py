"""Peak RSS of a warm container after many decisions, measured in a child process.

The child (bench/memory_child.py) runs where the cold start is judged: the ``sam build`` artifact
(bench/cold_site.py), JWKS over TLS from 127.0.0.1, so the trust store is in memory as in Lambda.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from bench.cold_site import ChildSite
from bench.cold_start import LOOPBACK, ColdWorld


@dataclass(frozen=True)
class Memory:
    decisions: int
    peak_rss_mib: float
    site: str  # where it ran (bench/cold_site.py)


def measure_memory(site: ChildSite, cold: ColdWorld, tokens: list[str]) -> Memory:
    token_file = site.scratch / "memory-tokens"
    token_file.write_text("\n".join(tokens) + "\n")
    done = subprocess.run(
        site.command("memory_child.py", str(token_file)), env=site.environment(cold.settings(LOOPBACK)),
        cwd=site.scratch, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Memory(decisions=result["decisions"], peak_rss_mib=result["peak_rss_mib"], site=site.name)
