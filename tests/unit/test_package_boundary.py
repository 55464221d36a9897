"""The runtime package (what runs in Lambda) never imports the tools, the local stack or the tests."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# what the Lambda runtime package may import beyond the standard library
RUNTIME_DEPENDENCIES = {"authorizer", "aws_lambda_powertools", "jwt", "cryptography", "yaml", "h11", "certifi"}


def imported_top_levels(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_runtime_imports_only_itself_its_dependencies_and_the_standard_library() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = {
        f"{module.relative_to(REPO)}: {name}"
        for module in sorted((REPO / "authorizer").rglob("*.py"))
        for name in imported_top_levels(module)
        if name not in stdlib and name not in RUNTIME_DEPENDENCIES
    }
    assert sorted(found) == []


def test_the_runtime_package_has_no_subpackage_and_no_command() -> None:
    # the tools (scopegate_tools/) sit beside it; a folder or __main__ here would ship to Lambda
    assert sorted(p.name for p in (REPO / "authorizer").iterdir() if p.is_dir() and p.name != "__pycache__") == []
    assert not (REPO / "authorizer" / "__main__.py").exists()
