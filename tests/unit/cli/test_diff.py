"""python -m scopegate_tools diff: the (client, route) decisions a change of the rules changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.orders_example import RULES, Example
from tests.unit.cli.conftest import run_cli

WIDER = RULES.replace("DELETE /orders/*", '"* /orders/*"')

GOLDEN = """\
Decisions that change from policies/rules.yaml to wider.yaml:
  CLIENT  ROUTE                     DECISION           NOW
  reader  GET /orders/{id}          allowed -> denied  e.g. GET /orders/x: denied, rule 4 (* /orders/*) needs admin; missing admin
  reader  GET /orders/{id}/refunds  allowed -> denied  e.g. GET /orders/x/refunds: denied, rule 4 (* /orders/*) needs admin; missing admin
2 (client, route) pairs change.
"""


def test_diff_of_two_files_lists_each_changed_pair_and_exits_1(orders: Example) -> None:
    Path("wider.yaml").write_text(WIDER)
    result = run_cli("diff", "policies/rules.yaml", "wider.yaml")
    assert (result.code, result.out, result.err) == (1, GOLDEN, "")


def test_diff_of_equal_decisions_exits_0(orders: Example) -> None:
    Path("same.yaml").write_text(RULES.replace("GET /orders/{id}", "GET /orders/*"))
    result = run_cli("diff", "policies/rules.yaml", "same.yaml")
    assert (result.code, result.out) == (0, "Decisions that change from policies/rules.yaml to same.yaml: none.\n")


def git(*args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True,
    )


def test_diff_against_a_git_revision_reads_the_old_rules_from_git(orders: Example) -> None:
    # GIVEN the example committed, then the rules widened in the working tree
    git("init", "-q", ".")
    git("add", ".")
    git("commit", "-q", "-m", "orders")
    orders.rules.write_text(WIDER)
    # WHEN
    result = run_cli("diff", "--base", "HEAD", "--format", "json")
    # THEN
    report = json.loads(result.out)
    assert (result.code, report["old"], report["new"]) == (1, "HEAD:policies/rules.yaml", "policies/rules.yaml")
    assert [(c["client"], c["route"], c["before"], c["after"]) for c in report["changes"]] == [
        ("reader", "GET /orders/{id}", "allowed", "denied"),
        ("reader", "GET /orders/{id}/refunds", "allowed", "denied"),
    ]


def test_diff_against_an_unknown_revision_exits_3(orders: Example) -> None:
    git("init", "-q", ".")
    result = run_cli("diff", "--base", "no-such-rev")
    assert result.code == 3 and result.err.startswith("error: no-such-rev:policies/rules.yaml: git cannot show it (")


def test_diff_needs_two_files_or_a_base(orders: Example) -> None:
    result = run_cli("diff", "policies/rules.yaml")
    assert (result.code, result.err) == (
        2, "error: give two rules files (diff OLD NEW) or a git revision (diff --base HEAD~1)\n"
    )
