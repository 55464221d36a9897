"""Fixtures of the end-to-end tier: the local stack on 127.0.0.1, ports picked free."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.gateway.result_cache import ManualClock
from local.stack import Stack, StackConfig


@pytest.fixture
def stack() -> Iterator[Stack]:
    """Issuer + gateway for the shipped template.yaml and local/clients.yaml, as `make run` starts them."""
    running = Stack(StackConfig(gateway_port=0, issuer_port=0, dynamodb_port=0, rules=None), clock=ManualClock()).start()
    try:
        yield running
    finally:
        running.stop()
