"""The bench keeps working: a smoke run (tiny counts, no plots) gives a well-formed table and page.

Its numbers mean nothing and nothing here asserts a timing: benchmarks are not tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.run import main

FIGURES = [
    "baseline",
    "reference (PyJWT decode)",
    "fresh-token decision",
    "repeated-token decision",
    "cold start, loopback JWKS (vs minimal PyJWT authorizer)",
    "cold start, JWKS answering after 100 ms: added to the loopback one",
    "cold start, JWKS answering after 100 ms (vs minimal PyJWT authorizer)",
    "cold start at 512 MB of CPU, loopback JWKS (vs minimal PyJWT authorizer)",
    "cold start at 512 MB of CPU, JWKS answering after 100 ms: added to the loopback one",
    "cold start: the JWKS request at the server, from process start",
    "rules scale: compile 1,000 rules",
    "rules scale: load the compiled form of 1,000 rules",
    "rules scale: decision, 10 -> 1,000 rules",
    "issuers: decision, TOKEN_ISSUER -> a file of 8 issuers",
    "gateway workload, ReauthorizeEvery 300",
    "gateway workload, ReauthorizeEvery 0",
    "gateway workload, ReauthorizeEvery 300, per-route",
    "memory: peak RSS after 20 decisions",
    "policy: one service's scopes, 1,000 rules",
    "policy per route: largest of any token, 1,000 rules",
]


def summary_rows(markdown: str) -> list[list[str]]:
    section = markdown.split("## Summary\n\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()
    assert lines[0] == "| figure | median | rate ratio to baseline | goal | met |"
    assert lines[1] == "|---|---|---|---|---|"
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_a_smoke_run_writes_every_figure_with_a_verdict(tmp_path: Path, capsys) -> None:
    # GIVEN tiny counts WHEN the bench runs THEN the page holds one row per figure, in order
    out = tmp_path / "benchmarks.md"
    assert main(["--smoke", "--no-plots", "--out", str(out)]) == 0
    markdown = out.read_text()
    rows = summary_rows(markdown)
    assert [row[0] for row in rows] == FIGURES
    assert all(len(row) == 5 for row in rows)
    assert rows[0][1:] == [rows[0][1], "1.00", "1.0", ""]
    assert re.fullmatch(r"\d+\.\d µs", rows[0][1])
    assert all(row[4] in ("yes", "no") for row in rows[2:] if row[3] not in ("(reported)", "(not measured here)"))
    # the CPU share Lambda gives 512 MB needs a cgroup quota: measured, or said why not
    shared = [row for row in rows if "at 512 MB of CPU" in row[0]]
    assert all(row[3] != "(not measured here)" or row[1].startswith("no CPU quota can be set here") for row in shared)
    assert [row[4] for row in rows if row[3] == "(reported)"] == ["", "", ""]
    # through the local gateway: no answer differs from the rules, with or without its result cache;
    # without it every request invokes the authorizer (the seeded workload makes both counts exact)
    assert [row[1] for row in rows[14:17]] == [
        "39.50% invoked, 0 wrong of 200", "100.00% invoked, 0 wrong of 200", "85.00% invoked, 0 wrong of 200",
    ]
    assert "| ReauthorizeEvery | mode | requests | authorizer invocations | invoked | wrong decisions | " \
        "requests/s (information) |\n" in markdown
    assert "| 300 | TOKEN | 200 | 79 | 39.50% | 0 | " in markdown and "| 0 | TOKEN | 200 | 200 | 100.00% | 0 | " in markdown
    assert "| 300 | per-route (REQUEST) | 200 | 170 | 85.00% | 0 | " in markdown
    assert "(smoke mode" in markdown and "Where the time goes" in markdown
    # the cold-start tables have the runtime's imports and the JWKS request's arrival as columns
    assert "| interpreter | runtime's imports | init (import of the handler's module) | " \
        "JWKS request at the server (from process start) | first invocation |" in markdown
    assert "No cold start decides before its JWKS answer" in markdown
    # policy sizes are not timings: the smoke run gives the full run's figures
    assert [row[1] for row in rows[-2:]] == ["319 bytes", "250 bytes"]
    assert "| 1,000 | one service: read + write | 172,551 | 319 | 3 | " in markdown
    assert "| 250 | `POST /svc100/items` | " in markdown
    assert "![" not in markdown  # no plots asked for
    printed = capsys.readouterr().out
    assert printed.startswith("| figure | median |") and f"wrote {out}" in printed
