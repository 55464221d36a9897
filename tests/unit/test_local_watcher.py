"""local.watcher: one poll over several files, a callback per changed content, failures contained."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from local.watcher import FileWatcher


def test_calls_back_on_content_change_only(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("a")
    calls: list[int] = []
    watcher = FileWatcher({path: lambda: calls.append(1)})
    assert watcher.check() == []
    path.write_text("a")  # touched, same content
    assert watcher.check() == []
    path.write_text("bb")
    assert watcher.check() == [path]
    assert calls == [1]


def test_each_file_calls_its_own_callback(tmp_path: Path) -> None:
    template, clients, rules = (tmp_path / name for name in ("template.yaml", "clients.yaml", "rules.yaml"))
    for path in (template, clients, rules):
        path.write_text("v1")
    calls: list[str] = []
    watcher = FileWatcher({path: (lambda name=path.name: calls.append(name)) for path in (template, clients, rules)})
    clients.write_text("v22")
    rules.write_text("v333")
    assert watcher.check() == [clients, rules]
    assert calls == ["clients.yaml", "rules.yaml"]


def test_a_deleted_file_is_a_change(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text("a")
    calls: list[int] = []
    watcher = FileWatcher({path: lambda: calls.append(1)})
    path.unlink()
    assert (watcher.check(), calls) == ([path], [1])


def test_a_failing_callback_is_logged_and_the_others_still_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = tmp_path / "template.yaml", tmp_path / "rules.yaml"
    first.write_text("a")
    second.write_text("a")
    calls: list[str] = []

    def broken() -> None:
        raise KeyError("Resources")

    watcher = FileWatcher({first: broken, second: lambda: calls.append("rules")})
    first.write_text("bb")
    second.write_text("bb")
    with caplog.at_level(logging.ERROR, logger="local"):
        assert watcher.check() == [first, second]
    assert calls == ["rules"]
    assert [record.getMessage() for record in caplog.records] == [f"{first} changed, and reacting to it failed"]


def test_stop_without_start_returns() -> None:
    watcher = FileWatcher({})
    watcher.stop()
    assert watcher.check() == []
