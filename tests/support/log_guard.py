"""The no-token guarantee: no log line may hold a bearer token or anything shaped like a JWT.

An autouse fixture (tests/conftest.py) collects every log record emitted during each test, from
every logger, formatted as Powertools writes it, plus anything appended to log files that a
test registers with :func:`watch_file` (the local stack's subprocess logs), and fails the test
if a token-shaped string appears.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

# A JWS compact serialisation: base64url JSON header ("eyJ" is '{"'), then payload, then signature.
JWT_SHAPED = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
BEARER_VALUE = re.compile(r"[Bb]earer\s+[A-Za-z0-9._~+/=-]{16,}")

_watched: dict[Path, int] = {}


def find_token_leaks(lines: list[str]) -> list[str]:
    """The lines that hold a JWT-shaped string or a bearer credential, redacted for display."""
    leaks = []
    for line in lines:
        if JWT_SHAPED.search(line) or BEARER_VALUE.search(line):
            redacted = BEARER_VALUE.sub("Bearer <redacted>", JWT_SHAPED.sub("<jwt>", line))
            leaks.append(redacted[:300])
    return leaks


def watch_file(path: Path) -> None:
    """Scan what is appended to ``path`` (e.g. a subprocess's log) after every test."""
    _watched[Path(path)] = Path(path).stat().st_size if Path(path).exists() else 0


def unwatch_file(path: Path) -> None:
    _watched.pop(Path(path), None)


def read_watched_files() -> list[str]:
    lines: list[str] = []
    for path, offset in list(_watched.items()):
        if not path.exists():
            continue
        with path.open("rb") as handle:
            handle.seek(offset)
            chunk = handle.read()
        _watched[path] = offset + len(chunk)
        lines.extend(chunk.decode("utf-8", "replace").splitlines())
    return lines


class CollectingHandler(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(level=logging.DEBUG)
        if formatter is not None:
            self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is kept raw
            self.lines.append(f"{record.msg} {record.args} {record.__dict__}")
