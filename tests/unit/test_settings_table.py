"""README's configuration table is checked against the one place that reads the environment.

``authorizer.config.read_settings`` is the source: every variable it reads, with its default, must
be a row of README's table with the same default, and every row must name a variable it reads (or
a Powertools convention that Powertools itself reads).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READ_BY_POWERTOOLS = {"POWERTOOLS_LOG_LEVEL", "POWERTOOLS_LOGGER_SAMPLE_RATE", "POWERTOOLS_METRICS_DISABLED"}


def read_in_config() -> dict[str, str | None]:
    """{variable: default as written} for every ``read.<kind>("NAME", default, ...)`` call."""
    found: dict[str, str | None] = {}
    tree = ast.parse((REPO / "authorizer" / "config.py").read_text())
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "read"
                and node.args and isinstance(node.args[0], ast.Constant)):
            default = node.args[1] if len(node.args) > 1 else None
            if node.func.attr == "flag":
                found[node.args[0].value] = "false"
            elif isinstance(default, ast.Constant):
                found[node.args[0].value] = str(default.value) if default.value != "" else None
            else:
                found[node.args[0].value] = None  # required, or computed (documented in words)
    return found


def readme_rows() -> dict[str, str]:
    readme = (REPO / "README.md").read_text()
    text = readme[readme.index("\n## Configuration"):]
    text = text[: text.index("\n## ", 1)]
    rows: dict[str, str] = {}
    for names, default in re.findall(r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \| ([^|]+) \|", text, flags=re.M):
        for name in re.findall(r"`([A-Z_]+)`", names):
            rows[name] = default.strip()
    return rows


def test_every_variable_the_authorizer_reads_is_in_the_readme_with_its_default() -> None:
    rows = readme_rows()
    for name, default in read_in_config().items():
        assert name in rows, f"README's configuration table lacks {name}"
        if default is not None:
            assert rows[name].strip("`") == default, (name, rows[name], default)


def test_every_readme_row_names_a_variable_that_is_read() -> None:
    assert sorted(set(readme_rows()) - set(read_in_config()) - READ_BY_POWERTOOLS) == []
