"""services/ trusts the authorizer: no JWT library, no token or Authorization header handling."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
TOKEN_LIBRARIES = {"jwt", "jose", "joserfc", "authlib", "jwcrypto", "cryptography"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_service_module_imports_a_token_library_or_reads_the_authorization_header() -> None:
    sources = sorted(SERVICES.rglob("*.py"))
    assert len(sources) >= 7  # hello, orders (3), the layer (4)
    offenders = {
        str(path.relative_to(SERVICES)): sorted(imported_roots(path) & TOKEN_LIBRARIES)
        for path in sources
        if imported_roots(path) & TOKEN_LIBRARIES
    }
    mentions = [str(p.relative_to(SERVICES)) for p in sources if "Authorization" in p.read_text(encoding="utf-8")]
    assert (offenders, mentions) == ({}, [])
