"""Fixtures of the live suite: skipped, with the reason, unless the environment names a stack and clients."""

from __future__ import annotations

import os

import pytest

from tests.live.stack import Stack, Token, missing_variables


@pytest.fixture(scope="session")
def live_env() -> dict[str, str]:
    missing = missing_variables(dict(os.environ))
    if missing:
        pytest.skip(f"live suite against a deployed stack: set {', '.join(missing)} (README.md, Deploy)")
    return dict(os.environ)


@pytest.fixture(scope="session")
def stack(live_env: dict[str, str]) -> Stack:
    return Stack.describe(live_env["AWS_SAM_STACK_NAME"])


@pytest.fixture(scope="session")
def tokens(stack: Stack, live_env: dict[str, str]) -> dict[str, Token]:
    return {client: stack.token_for(client, live_env) for client in ("reader", "outsider")}
