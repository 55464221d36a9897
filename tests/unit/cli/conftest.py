"""Fixtures of the rules tools' tests: an orders API laid out like the repository."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from scopegate_tools.cli.main import main
from tests.support.orders_example import Example, write_example


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run:
    """The CLI in-process, as `python -m scopegate_tools` runs it."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def orders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Example:
    """The orders example in tmp_path, which becomes the working directory."""
    example = write_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    return example
