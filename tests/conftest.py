"""Fixtures shared by every test tier."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support import log_guard
from tests.support.container import new_container
from tests.support.jwks_server import JwksServer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key

REPO_ROOT = Path(__file__).resolve().parent.parent

# Hypothesis budgets: "ci" (the default, what `make test` runs) and "thorough" (`make security-report`).
# Choose with HYPOTHESIS_PROFILE=thorough or pytest's --hypothesis-profile=thorough.
settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True)
settings.register_profile(
    "thorough", max_examples=10000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return rsa_key("key-1")


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    return rsa_key("key-2")


@pytest.fixture
def jwks_server(signing_key: SigningKey) -> Iterator[JwksServer]:
    with running_jwks_server() as server:
        server.serve_keys(signing_key.jwk())
        yield server


class LogLines(logging.Handler):
    """Every line a Powertools logger writes (the authorizer's by default), formatted as it writes it."""

    def __init__(self, logger: Any = None) -> None:
        super().__init__()
        if logger is None:
            from authorizer.app import logger

        self.setFormatter(logger.registered_formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def decisions(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r.get("message") == "decision"]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    handler = LogLines()
    target = logging.getLogger("scopegate")
    target.addHandler(handler)
    try:
        yield handler
    finally:
        target.removeHandler(handler)


@pytest.fixture(autouse=True)
def warm_start_state() -> Iterator[None]:
    """Every test starts on a new container and leaves none behind.

    The handler's warm-start state (engine, memos, JWKS cache, a kept cold-start failure) is
    process-wide: it is forgotten before each test, so that the test's environment is read at
    its first invocation, and after it, so that no later test sees its settings or keys.
    Environment changes are the test's own to undo (``monkeypatch.setenv`` does).
    """
    new_container()
    try:
        yield
    finally:
        new_container()


@pytest.fixture(autouse=True)
def no_token_in_logs() -> Iterator[None]:
    """Fail any test during which a log line (ours or a library's) holds a token."""
    from authorizer.app import logger

    handler = log_guard.CollectingHandler(logger.registered_formatter)
    root = logging.getLogger()
    targets = [root, logging.getLogger(logger.name)]
    root_level = root.level
    root.setLevel(logging.INFO)  # see library lines down to INFO (DEBUG floods from moto and werkzeug)
    for target in targets:
        target.addHandler(handler)
    try:
        yield
    finally:
        for target in targets:
            target.removeHandler(handler)
        root.setLevel(root_level)
    leaks = log_guard.find_token_leaks(handler.lines + log_guard.read_watched_files())
    assert not leaks, f"a log line holds a token: {leaks[:3]}"
