"""``make bench``: every figure in one process run; prints the table, writes docs/benchmarks.md.

``python -m bench`` runs the full bench; ``--smoke`` runs every figure with tiny counts (CI keeps
the bench working with it; its numbers mean nothing); ``--out`` chooses where the Markdown goes;
``--no-plots`` skips matplotlib.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from bench.cold_breakdown import measure_breakdown
from bench.cold_start import cold_world, measure_cold_start
from bench.gateway_workload import run_workload
from bench.issuers import measure_issuers
from bench.memory import measure_memory
from bench.policy_size import measure_policy_size
from bench.profile import profile_fresh_decisions
from bench.report import Results, benchmarks_markdown, summary_table, write_plots
from bench.rules_scale import measure_rules_scale
from bench.throughput import measure_throughput
from bench.world import REPO_ROOT, mint_tokens, running_world

ANALYSIS = Path(__file__).resolve().parent / "analysis.md"


@dataclass(frozen=True)
class Counts:
    tokens: int  # distinct tokens for the per-call figures (split over the rounds)
    rounds: int
    cold_starts: int
    share_cold_starts: int  # at the template's CPU share: each run takes about 3.5 times as long
    breakdown_runs: int
    import_runs: int
    compile_repeats: int
    rule_decisions: int
    gateway_requests: int
    memory_decisions: int
    profiled: int


FULL = Counts(tokens=12000, rounds=31, cold_starts=31, share_cold_starts=21, breakdown_runs=9, import_runs=3, compile_repeats=21,
              rule_decisions=400, gateway_requests=20000, memory_decisions=10000, profiled=2000)
SMOKE = Counts(tokens=60, rounds=3, cold_starts=1, share_cold_starts=1, breakdown_runs=1, import_runs=1, compile_repeats=1,
               rule_decisions=20, gateway_requests=200, memory_decisions=20, profiled=20)


def run(counts: Counts, mode: str) -> Results:
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with running_world() as world:
        tokens = mint_tokens(world.key, max(counts.tokens, counts.memory_decisions))
        throughput = measure_throughput(world, tokens[: counts.tokens], counts.rounds)
        with cold_world(world, tokens[0]) as cold:
            cold_start = measure_cold_start(cold, counts.cold_starts, (counts.cold_starts + 1) // 2,
                                            counts.share_cold_starts)
            breakdowns = [measure_breakdown(site, cold, counts.breakdown_runs, counts.import_runs)
                          for site in cold.sites]
            memory = measure_memory(cold.sites[0], cold, tokens[: counts.memory_decisions])
        rules = measure_rules_scale(world, counts.compile_repeats, counts.rule_decisions, counts.rounds)
        issuers = measure_issuers(world, tokens[: counts.tokens], counts.rounds)
        policy = measure_policy_size(counts.compile_repeats)
        gateway = run_workload(world, counts.gateway_requests)
        profile = profile_fresh_decisions(world, tokens[: counts.profiled])
    return Results(mode, started_at, throughput, cold_start, rules, gateway, memory, profile,
                   time.perf_counter() - started, policy, issuers, breakdowns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks the bench runs")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-plots", action="store_true", help="skip the matplotlib plots")
    args = parser.parse_args(argv)
    results = run(SMOKE if args.smoke else FULL, "smoke" if args.smoke else "full")
    print(summary_table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.no_plots:
        write_plots(results, args.out.parent)
    args.out.write_text(benchmarks_markdown(results, ANALYSIS.read_text(), with_plots=not args.no_plots))
    print(f"\nwrote {args.out}")
    return 0
