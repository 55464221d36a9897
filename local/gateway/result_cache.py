"""API Gateway's authorizer result cache: per API, stage and authorizer, keyed by the identity.

The identity is the token for a TOKEN authorizer, the values of its identity sources for a
REQUEST authorizer (per-route mode: the token, the method and the resource path).

Only a returned policy is cached (Allow or Deny alike), for ``ReauthorizeEvery`` seconds by the
injected clock; errors and ``Unauthorized`` are not. The cached output is re-evaluated against
every later request's methodArn by the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from local.gateway.authorizer_result import AuthorizerOutput

CacheKey = tuple[str, str, str, tuple[str, ...]]  # api id, stage, authorizer name, identity values


@dataclass(frozen=True, slots=True)
class _Entry:
    output: AuthorizerOutput
    expires_at: float


class ResultCache:
    def __init__(self, clock: Callable[[], float], max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[CacheKey, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> AuthorizerOutput | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() >= entry.expires_at:
                del self._entries[key]
                return None
            return entry.output

    def put(self, key: CacheKey, output: AuthorizerOutput, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = _Entry(output, self._clock() + ttl_seconds)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ManualClock:
    """A monotonic clock that tests move by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
