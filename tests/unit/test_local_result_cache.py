"""local.gateway.result_cache and local.watcher: TTL by an injected clock; change detection."""

from __future__ import annotations

from pathlib import Path

from local.gateway.authorizer_result import AuthorizerOutput
from local.gateway.result_cache import ManualClock, ResultCache
from local.watcher import FileWatcher

OUTPUT = AuthorizerOutput("p", {"Statement": []}, {})
KEY = ("api", "Dev", "Tok", "Bearer t")


def test_result_cache_serves_until_the_ttl_and_not_at_it() -> None:
    clock = ManualClock()
    cache = ResultCache(clock)
    cache.put(KEY, OUTPUT, 300)
    clock.advance(299.9)
    assert cache.get(KEY) is OUTPUT
    clock.advance(0.1)
    assert cache.get(KEY) is None


def test_result_cache_with_ttl_zero_keeps_nothing() -> None:
    cache = ResultCache(ManualClock())
    cache.put(KEY, OUTPUT, 0)
    assert cache.get(KEY) is None


def test_file_watcher_calls_back_on_content_change_only(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("a")
    calls: list[int] = []
    watcher = FileWatcher(path, lambda: calls.append(1))
    assert watcher.check() is False
    path.write_text("a")  # touched, same content
    watcher.check()
    path.write_text("bb")
    assert watcher.check() is True
    assert calls == [1]
