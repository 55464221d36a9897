"""Fixtures of the browser tests: the orders example as the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.orders_example import Example, write_example


@pytest.fixture
def orders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Example:
    """The orders example in tmp_path, which becomes the working directory."""
    example = write_example(tmp_path / "example")
    monkeypatch.chdir(example.folder)
    return example
