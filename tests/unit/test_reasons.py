"""authorizer.errors.Reason: the one list of reason codes, documented, and never spelled as text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from authorizer.errors import Reason, ScopegateError

REPO = Path(__file__).resolve().parents[2]


def _subclasses(cls: type) -> list[type]:
    return [cls] + [sub for child in cls.__subclasses__() for sub in _subclasses(child)]


def test_every_reason_code_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", (REPO / "README.md").read_text()))
    assert sorted(reason.value for reason in Reason if reason.value not in documented) == []


def test_every_error_class_carries_a_reason_member() -> None:
    assert [cls.__name__ for cls in _subclasses(ScopegateError) if not isinstance(cls.reason, Reason)] == []


def test_the_runtime_never_spells_a_reason_as_text() -> None:
    # GIVEN every module of the runtime package (the tools print reasons, they do not decide on them)
    found = []
    for module in sorted((REPO / "authorizer").glob("*.py")):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            # reason="..." passed to an error, or a comparison of .reason / .outcome with a string
            if isinstance(node, ast.keyword) and node.arg == "reason" and isinstance(node.value, ast.Constant):
                found.append(f"{module.name}:{node.lineno}")
            if isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr in {"reason", "outcome"}
                for side in [node.left, *node.comparators]
            ) and any(isinstance(side, ast.Constant) for side in [node.left, *node.comparators]):
                found.append(f"{module.name}:{node.lineno}")
    # THEN none: reasons are Reason members, branched on by member or by error type
    assert found == []
