"""Where a cold start goes: interpreter, imports by package, configuration, rules, TLS context,
JWKS, first decision (bench/cold_breakdown_child.py), each part on its own, in fresh processes.

Parts are run one after the other here, so their sum is a cold start in which nothing overlaps;
the cold-start figures (bench/cold_start.py) show how much of it Lambda's init hides. Imports by
package come from separate runs under ``python -X importtime`` (each module's own time, summed by
the top-level package it belongs to; the standard library as one): importtime slows imports, so
those runs give the split and the other runs the totals.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from bench.cold_site import ChildSite
from bench.cold_start import LOOPBACK, ColdWorld

PARTS = ("interpreter", "runtime", "imports", "configuration", "rules", "engine", "TLS context", "JWKS", "first decision")
PART_NOTES = {
    "interpreter": "process spawn to the first line of the child (python -S)",
    "runtime": "what Lambda's runtime imports before init (bench/lambda_runtime.py), not ours",
    "imports": "import authorizer.app (what the handler's module pulls in)",
    "configuration": "read_settings",
    "rules": "load_rules of the packaged rules",
    "engine": "the rest of building the engine (metrics, caches)",
    "TLS context": "certifi's CA bundle into an SSL context, for the first https fetch",
    "JWKS": "fetch (TLS handshake included) and parse the keys",
    "first decision": "lambda_handler on a valid token, keys in hand",
}
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class Breakdown:
    site: str
    runs: int
    parts_ms: dict[str, float]  # median of each part
    imports_by_package_ms: dict[str, float]  # median own import time, by top-level package
    modules: dict[str, bool]  # was yaml / jwt imported by the first decision

    @property
    def total_ms(self) -> float:
        return sum(self.parts_ms.values())


def package_of(top: str, origin: str) -> str:
    if origin == "stdlib":
        return "standard library"
    if top == "authorizer":
        return "authorizer (scopegate)"
    return top


def _run(site: ChildSite, cold: ColdWorld, flags: tuple[str, ...] = ()) -> tuple[float, dict[str, Any], str]:
    command = site.command("cold_breakdown_child.py", str(cold.token_file), flags=flags)
    spawned = time.monotonic()
    done = subprocess.run(command, env=site.environment(cold.settings(LOOPBACK)), cwd=site.scratch,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"cold-start breakdown ({site.name}) failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if not (result["allowed"] and result["jwks_ok"]):
        raise RuntimeError(f"cold-start breakdown ({site.name}) did not decide as expected: {result}")
    return spawned, result, done.stderr


def imports_by_package(stderr: str, origins: dict[str, str]) -> dict[str, float]:
    """Own import time summed by package; a standard-library module counts for the package that
    imported it first (``jwt`` pulls in ``http.client``), or for the standard library when the
    child itself or the interpreter did.

    importtime prints a module after the modules it imported, one level deeper each: read in
    reverse, a line's importer is the nearest line above it in the stack one level up.
    """
    own: dict[str, float] = {}
    stack: list[tuple[int, str]] = []  # (depth, owner) of the importers of the line being read
    for line in reversed(stderr.splitlines()):
        found = _IMPORT_LINE.match(line)
        if found is None:
            continue
        depth = (len(found.group(3)) - 1) // 2
        while stack and stack[-1][0] >= depth:
            stack.pop()
        top = found.group(4).partition(".")[0]
        package = package_of(top, origins.get(top, "stdlib"))
        if package == "standard library" and stack:
            package = stack[-1][1]
        stack.append((depth, package))
        own[package] = own.get(package, 0.0) + int(found.group(1)) / 1000
    return own


def measure_breakdown(site: ChildSite, cold: ColdWorld, runs: int, import_runs: int) -> Breakdown:
    _run(site, cold)  # warm the page cache
    parts: dict[str, list[float]] = {part: [] for part in PARTS}
    modules: dict[str, bool] = {}
    for _ in range(runs):
        spawned, result, _ = _run(site, cold)
        measured = dict(result["parts"])
        measured["interpreter"] = (float(result["started"]) - spawned) * 1000
        for part in PARTS:
            parts[part].append(measured.get(part, 0.0))
        modules = dict(result["modules"])
    by_package: dict[str, list[float]] = {}
    for number in range(import_runs):
        _, result, stderr = _run(site, cold, flags=("-X", "importtime"))
        for package, ms in imports_by_package(stderr, result["origins"]).items():
            by_package.setdefault(package, [0.0] * number).append(ms)
        for values in by_package.values():
            values.extend([0.0] * (number + 1 - len(values)))
    medians = {package: statistics.median(values) for package, values in by_package.items()}
    return Breakdown(
        site=site.name,
        runs=runs,
        parts_ms={part: statistics.median(values) for part, values in parts.items()},
        imports_by_package_ms=dict(sorted(medians.items(), key=lambda item: -item[1])),
        modules=modules,
    )


def breakdown_table(breakdowns: list[Breakdown]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    headers = ("part", *(f"{b.site} (median ms)" for b in breakdowns), "what")
    rows = [(part, *(f"{b.parts_ms[part]:.1f}" for b in breakdowns), PART_NOTES[part]) for part in PARTS]
    rows.append(("sum", *(f"{b.total_ms:.1f}" for b in breakdowns), "a cold start with nothing overlapped"))
    return headers, rows


def imports_table(breakdowns: list[Breakdown]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    packages: list[str] = []
    for b in breakdowns:
        packages += [name for name in b.imports_by_package_ms if name not in packages]
    headers = ("package (with the standard-library modules it imported first)",
               *(f"{b.site} (median ms, under -X importtime)" for b in breakdowns))
    rows = [(name, *(f"{b.imports_by_package_ms.get(name, 0.0):.1f}" for b in breakdowns)) for name in packages]
    rows.append(("total", *(f"{sum(b.imports_by_package_ms.values()):.1f}" for b in breakdowns)))
    return headers, rows

