"""Plain-text tables and JSON for the rules tools (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: int = 0) -> list[str]:
    """Left-aligned columns separated by two spaces; no trailing spaces."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    pad = " " * indent
    return [
        pad + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
        for row in [list(headers), *rows]
    ]


def plural(count: int, word: str) -> str:
    """``1 rule``, ``2 rules``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
