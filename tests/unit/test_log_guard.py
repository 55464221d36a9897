"""tests/support/log_guard: the no-token guarantee's detector catches what it must."""

from __future__ import annotations

import logging
from pathlib import Path

from tests.support import log_guard
from tests.support.keys import SigningKey
from tests.support.minting import mint


def test_find_token_leaks_flags_a_jwt_and_a_bearer_value_and_redacts_them(signing_key: SigningKey) -> None:
    token = mint(signing_key)
    leaks = log_guard.find_token_leaks(
        [f"event {{'authorizationToken': 'Bearer {token}'}}", f"token={token}", "decision allow fp=ab12cd34ef56"]
    )
    assert len(leaks) == 2 and all(token not in leak for leak in leaks)


def test_collecting_handler_sees_a_leak_through_a_library_logger(signing_key: SigningKey) -> None:
    handler = log_guard.CollectingHandler(None)
    library = logging.getLogger("some.library")
    library.addHandler(handler)
    library.setLevel(logging.DEBUG)
    library.propagate = False  # keep the deliberate leak away from the suite-wide guard
    try:
        library.debug("header: Bearer %s", "x" * 5 + ".secretsecretsecret")
    finally:
        library.removeHandler(handler)
        library.propagate = True
    assert log_guard.find_token_leaks(handler.lines) == ["header: Bearer <redacted>"]


def test_watched_files_are_read_incrementally(tmp_path: Path) -> None:
    log = tmp_path / "gateway.log"
    log.write_text("old line\n")
    log_guard.watch_file(log)
    try:
        with log.open("a") as handle:
            handle.write("GET /Dev/hello 200 allow\n")
        assert log_guard.read_watched_files() == ["GET /Dev/hello 200 allow"]
        assert log_guard.read_watched_files() == []
    finally:
        log_guard.unwatch_file(log)
