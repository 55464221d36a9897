"""Rewrite the figures of docs/security.md from a full run (``make security-report``).

Runs, on this machine:

1. the property tests with the ``thorough`` Hypothesis profile (examples counted
   from ``--hypothesis-show-statistics``);
2. the handler fuzz target for ``--fuzz-runs`` inputs (default 1,000,000), in
   parallel with 1, then the rules-loader target for ``--rules-fuzz-runs``;
3. the JWT attack catalogue through the handler (outcome and reason);
4. the JWKS fault matrix, each scenario ``--repeat`` times (outcomes, requests
   that reached the server, worst decision latency);
5. the rules-file faults (message, time and peak memory of each refusal).

Timings are measured here and written to the document, never asserted by tests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from authorizer import app  # noqa: E402
from authorizer.errors import RulesError  # noqa: E402
from authorizer.rules import load_rules  # noqa: E402
from tests.fault.attacks import ATTACKS, run_attacks  # noqa: E402
from tests.fault.jwks_scenarios import SCENARIOS, Scenario, ScenarioResult, run_scenario  # noqa: E402
from tests.fault.rules_faults import RULES_FAULTS  # noqa: E402

DOC = REPO_ROOT / "docs" / "security.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


@dataclass
class FuzzRun:
    target: str
    runs: int
    seconds: int
    coverage: str
    findings: int
    outcomes: dict[str, int]


def start_fuzz(module: str, runs: int, workdir: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    stderr = workdir / f"{module}.log"
    outcomes = workdir / f"{module}.outcomes.json"
    artifacts = workdir / f"{module}-artifacts"
    artifacts.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", f"tests.fuzz.{module}", f"-runs={runs}", f"-artifact_prefix={artifacts}/",
         "-print_final_stats=1"],
        cwd=REPO_ROOT, env={**os.environ, "FUZZ_OUTCOMES_FILE": str(outcomes)},
        stdout=subprocess.DEVNULL, stderr=stderr.open("wb"),
    )
    return process, stderr, outcomes


def finish_fuzz(module: str, process: subprocess.Popen[bytes], stderr: Path, outcomes: Path) -> FuzzRun:
    process.wait()
    log = stderr.read_text(errors="replace")
    done = re.findall(r"Done (\d+) runs in (\d+) second", log)
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", log)
    findings = len(list((stderr.parent / f"{module}-artifacts").glob("crash-*")))
    runs, seconds = (int(done[-1][0]), int(done[-1][1])) if done else (0, 0)
    return FuzzRun(
        target=module, runs=runs, seconds=seconds,
        coverage=f"{coverage[-1][0]} edges, {coverage[-1][1]} features" if coverage else "n/a",
        findings=findings if done else findings + 1,
        outcomes=json.loads(outcomes.read_text()) if outcomes.exists() else {},
    )


def run_properties(profile: str) -> tuple[list[tuple[str, int, int]], float, int]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/property",
         "--hypothesis-show-statistics", f"--hypothesis-profile={profile}"],
        cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "HYPOTHESIS_PROFILE": profile},
    )
    seconds = time.perf_counter() - started
    rows = []
    for name, block in re.findall(r"tests/property/\S+::(\w+):\n(.*?)(?=\n\S|\Z)", run.stdout, re.S):
        passing = sum(int(n) for n in re.findall(r"(\d+) passing", block))
        failing = sum(int(n) for n in re.findall(r"(\d+) failing", block))
        rows.append((name, passing, failing))
    return rows, seconds, run.returncode


def quiet_authorizer_logs() -> None:
    """The in-process runs would print one decision line each: keep only what tests attach."""
    target = logging.getLogger(app.logger.name)
    for handler in list(target.handlers):
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stdout:
            target.removeHandler(handler)
    target.addHandler(logging.NullHandler())


def measure_rules_faults(workdir: Path) -> list[tuple[str, bool, str, float, int]]:
    rows = []
    for fault in RULES_FAULTS:
        path = workdir / "rules.yaml"
        text = fault.text()
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        started = time.perf_counter()
        try:
            load_rules(path)
            message = "LOADED"
        except RulesError as error:
            message = str(error).replace(str(path), "rules.yaml", 1)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        try:
            load_rules(path)
        except RulesError:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((fault.name, message == fault.message, message, seconds, peak))
    return rows


def play(scenario: Scenario, workdir: Path, repeat: int) -> ScenarioResult:
    """The last of ``repeat`` runs, with the worst latency of them all."""
    results = [run_scenario(scenario, workdir) for _ in range(repeat)]
    last = results[-1]
    last.worst_seconds = max(result.worst_seconds for result in results)
    return last


def _memory(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB" if size >= 2**20 else f"{size / 2**10:,.0f} KiB"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def render(figures: dict) -> str:
    out = [START, "", f"Run of {figures['date']} on {figures['machine']} (`make security-report`).", ""]
    out += [f"### Property-based tests (Hypothesis, profile `{figures['profile']}`)", "",
            "| property | examples run | failing |", "|---|---:|---:|"]
    out += [f"| `{name}` | {passing:,} | {failing} |" for name, passing, failing in figures["properties"]]
    total = sum(p for _, p, _ in figures["properties"])
    out += [f"| **total** | **{total:,}** | {sum(f for *_, f in figures['properties'])} |", "",
            f"Wall time {figures['properties_seconds']:.0f} s; pytest exit code {figures['properties_exit']}.", ""]
    out += ["### Fuzzing (atheris / libFuzzer)", "",
            "| target | inputs run | time | coverage | findings | outcomes |", "|---|---:|---:|---|---:|---|"]
    for run in figures["fuzz"]:
        outcomes = ", ".join(f"{k} {v:,}" for k, v in run.outcomes.items()) or "n/a"
        out.append(f"| `{run.target}` | {run.runs:,} | {run.seconds} s | {run.coverage} | {run.findings} | {outcomes} |")
    out += ["", "Outcome counts are written every 1,000 inputs, so they may trail the total by up to 999.", ""]
    out += ["### JWT attacks through the handler", "",
            "| attack | outcome | reason (decision log) | as expected |", "|---|---|---|---|"]
    for attack in ATTACKS:
        result = figures["attacks"][attack.name]
        ok = "yes" if (result.outcome, result.reason) == attack.expect else "**NO**"
        out.append(f"| {attack.name} | {result.outcome} | `{result.reason}` | {ok} |")
    out += ["", f"Requests that reached the attacker's JWKS server (`jku`, `x5u`): {figures['attacker_requests']}.", ""]
    out += ["### JWKS faults through the handler", "",
            "| scenario | outcome per step | requests to the JWKS server | decisions | worst decision latency | as expected |",
            "|---|---|---:|---:|---:|---|"]
    for scenario, result in figures["faults"]:
        ok = [s.expect for s in scenario.steps] == result.outcomes and result.requests == scenario.requests
        out.append(f"| {scenario.name} | {' → '.join(result.outcomes)} | {result.requests} | {result.decisions:,} | "
                   f"{_ms(result.worst_seconds)} | {'yes' if ok else '**NO**'} |")
    out += ["", f"Each scenario ran {figures['repeat']} times in a fresh container; latency is the worst of all runs,"
            " requests and outcomes those of the last run. `JWKS_TIMEOUT_SECONDS=1`.", ""]
    out += ["### Rules-file faults", "", "| fault | refused with | time | peak memory | as expected |",
            "|---|---|---:|---:|---|"]
    for name, ok, message, seconds, peak in figures["rules"]:
        shown = message if len(message) <= 110 else message[:107] + "..."
        out.append(f"| {name} | `{shown}` | {_ms(seconds)} | {_memory(peak)} | {'yes' if ok else '**NO**'} |")
    out += ["", END]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-runs", type=int, default=1_000_000)
    parser.add_argument("--rules-fuzz-runs", type=int, default=200_000)
    parser.add_argument("--profile", default="thorough")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave the document")
    options = parser.parse_args()
    figures: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "repeat": options.repeat, "profile": options.profile}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        handler_fuzz = start_fuzz("handler_target", options.fuzz_runs, workdir)
        print("properties ...", flush=True)
        figures["properties"], figures["properties_seconds"], figures["properties_exit"] = run_properties(options.profile)
        print("handler fuzz ...", flush=True)
        fuzz = [finish_fuzz("handler_target", *handler_fuzz)]
        print("rules fuzz ...", flush=True)
        fuzz.append(finish_fuzz("rules_target", *start_fuzz("rules_target", options.rules_fuzz_runs, workdir)))
        figures["fuzz"] = fuzz
        quiet_authorizer_logs()
        print("attacks, JWKS faults, rules faults ...", flush=True)
        figures["attacks"], figures["attacker_requests"] = run_attacks(workdir)
        with contextlib.redirect_stderr(io.StringIO()):  # the JWKS server's tracebacks for dropped clients
            figures["faults"] = [(scenario, play(scenario, workdir, options.repeat)) for scenario in SCENARIOS]
        figures["rules"] = measure_rules_faults(workdir)
    section = render(figures)
    print(section)
    if not options.no_write:
        text = DOC.read_text()
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        DOC.write_text(before + section + after)
    failed = figures["properties_exit"] != 0 or any(run.findings for run in fuzz)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
