"""local.gateway.result_cache: TTL by an injected clock."""

from __future__ import annotations

from local.gateway.authorizer_result import AuthorizerOutput
from local.gateway.result_cache import ManualClock, ResultCache

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

