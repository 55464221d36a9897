"""scopegate_tools.cli.main: exit codes, bad input without tracebacks, and `python -m scopegate_tools` itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.orders_example import RULES, Example
from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[3]

BROKEN_RULES = [
    pytest.param(
        RULES.replace("any_scopes: [read:orders, admin]\n  - route: POST", "any_scopes: [read:orders, admin\n  - route: POST"),
        "policies/rules.yaml:5: invalid YAML: expected ',' or ']', but got ':'",
        id="malformed YAML",
    ),
    pytest.param(
        RULES.replace("scopes: [write:orders]", "scope: [write:orders]"),
        "policies/rules.yaml:6: rule 2 (POST /orders): unknown key 'scope'; did you mean 'scopes'?",
        id="unknown key",
    ),
    pytest.param(
        RULES + '  - route: "GET /orders/*"\n    scopes: [x]\n',
        "policies/rules.yaml:17: rule 8 (GET /orders/*) repeats the route of rule 3 (line 7); merge them into one rule",
        id="duplicate rule",
    ),
]


@pytest.mark.parametrize(("rules", "message"), BROKEN_RULES)
@pytest.mark.parametrize("command", [["check"], ["test"], ["explain", "--scopes", "x"]])
def test_rules_that_do_not_load_exit_3_with_file_line_and_fix(
    orders: Example, rules: str, message: str, command: list[str]
) -> None:
    orders.rules.write_text(rules)
    result = run_cli(*command)
    assert (result.code, result.out, result.err) == (3, "", f"error: {message}\n")


def test_load_errors_are_json_with_format_json(orders: Example) -> None:
    orders.rules.write_text(RULES.replace("scopes: [write:orders]", "scope: [write:orders]"))
    result = run_cli("check", "--format", "json")
    assert json.loads(result.out) == {
        "ok": False,
        "error": {
            "kind": "input",
            "message": "policies/rules.yaml:6: rule 2 (POST /orders): unknown key 'scope'; did you mean 'scopes'?",
        },
    }


def test_a_template_that_does_not_parse_exits_3(orders: Example) -> None:
    orders.template.write_text("Resources:\n  A: [unclosed\n")
    result = run_cli("check")
    assert result.code == 3 and result.err.startswith("error: template.yaml:3: template does not parse")


def test_missing_files_exit_3_and_say_which(orders: Example) -> None:
    orders.tables.unlink()
    result = run_cli("test")
    assert (result.code, result.err) == (
        3, "error: policies/rules_test.yaml: decision tables not found; add the file or pass --tests\n"
    )


def test_bad_command_line_exits_2_and_help_exits_0(orders: Example) -> None:
    assert run_cli("frobnicate").code == 2
    assert run_cli("check", "--policy-budget-bytes", "0").code == 2
    assert run_cli("--help").code == 0


def test_python_dash_m_authorizer_check_runs_as_a_real_process_on_the_shipped_files() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scopegate_tools", "check", "--strict"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Rules policies/rules.yaml (digest ")
    assert done.stdout.endswith("OK: 0 errors, 0 warnings.\n")


def test_python_dash_m_authorizer_exits_3_on_broken_rules_without_a_traceback(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - route: GET /hello\n    scope: [read:hello]\n")
    done = subprocess.run(
        [sys.executable, "-m", "scopegate_tools", "check", "--rules", str(rules)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == f"error: {rules}:4: rule 1 (GET /hello): unknown key 'scope'; did you mean 'scopes'?\n"


def test_a_template_of_an_unexpected_shape_exits_3_without_a_traceback(orders: Example) -> None:
    orders.template.write_text("Resources:\n  A: 5\n")
    result = run_cli("check")
    assert (result.code, result.err) == (
        3,
        "error: template.yaml: the template is not a SAM template this tool can read "
        "(AttributeError: 'int' object has no attribute 'get'); `make lint-template` (cfn-lint) names the problem\n",
    )
