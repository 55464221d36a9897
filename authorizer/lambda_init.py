"""The very beginning of Lambda's init: the JWKS fetch starts before the authorizer is imported.

``app.py`` imports this module before anything else, so importing it is the first thing a cold
start does. In Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set) it starts one fetch of the key set on a
daemon thread (:class:`~authorizer.started_fetch.StartedFetch`): the thread imports the fetcher
and creates its TLS context, then sends the request. The main thread waits
for that local part (at most :data:`PREPARE_WAIT_SECONDS`), then for the request to leave (at most
:data:`SEND_WAIT_SECONDS`, the CPU a connect and a handshake need): with one GIL, the main thread's
imports would otherwise starve it and the request would leave only when init is nearly done. While
the fetch runs, the switch interval is :data:`INIT_SWITCH_INTERVAL_SECONDS`, so that each later
step of the fetch gets the GIL from the importing main thread at once.
Then, while the request crosses the network, the main thread imports Powertools and
cryptography, loads the rules and builds the engine, whose JWKS cache takes the answer as its
initial fetch (:func:`take_started_fetch`); init's prefetch waits only for what is left of it.

The freshness rule is the cache's own: the keys count as fetched when this fetch began. Outside
Lambda, or with an invalid configuration (the cold start reports it), nothing is fetched.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping

from authorizer.fetch_url import MAX_JWKS_BYTES, MAX_JWKS_TIMEOUT_SECONDS, jwks_uri_in
from authorizer.started_fetch import StartedFetch

PREPARE_WAIT_SECONDS = 0.25  # the main thread's wait for the fetch's local part, at most
# then its wait for the request to leave, at most: the CPU of a connect and a TLS 1.3 handshake is
# about 3 ms here; where the round trips take longer, init goes on and they overlap the imports
SEND_WAIT_SECONDS = 0.005
# while the fetch runs: how long the importing main thread may hold the GIL once the fetch's thread
# is ready to go on (Python's default is 5 ms; each step of connect, handshake and send waits for it)
INIT_SWITCH_INTERVAL_SECONDS = 0.0005


def _prepared_fetcher(uri: str) -> Callable[[Callable[[float], None]], Callable[[str], bytes]]:
    """On the thread: a fetcher for ``uri`` whose TLS context is already made.

    It is bounded by the largest timeout and size the settings accept, since they are not read
    yet; the JWKS cache holds the answer to the configured ones (it waits at most
    JWKS_TIMEOUT_SECONDS for it and refuses a body over JWKS_MAX_BYTES).
    """

    def prepare(after_sending: Callable[[float], None]) -> Callable[[str], bytes]:
        from authorizer.http_fetch import default_tls_context, make_http_fetcher

        if uri.startswith("https:"):
            default_tls_context()  # made once per container, kept for every later fetch
        return make_http_fetcher(MAX_JWKS_TIMEOUT_SECONDS, MAX_JWKS_BYTES, after_sending=after_sending)

    return prepare


class _QuickSwitching:
    """Python's switch interval at :data:`INIT_SWITCH_INTERVAL_SECONDS` while any init fetch runs,
    and put back as it was when the last one ends (there is one per process; tests start more)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved = 0.0

    def begin(self) -> None:
        with self._lock:
            if self._running == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, INIT_SWITCH_INTERVAL_SECONDS))
            self._running += 1

    def end(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._saved)


_QUICK_SWITCHING = _QuickSwitching()


def start_jwks_fetch(env: Mapping[str, str], wait_seconds: float = PREPARE_WAIT_SECONDS,
                     send_wait_seconds: float = SEND_WAIT_SECONDS) -> StartedFetch | None:
    """In Lambda, the JWKS fetch the settings in ``env`` call for, started; else None.

    The settings are read later, by the engine; here only the JWKS URL is, with the same rules
    (:func:`authorizer.fetch_url.jwks_uri_in`), so that the request leaves before the settings'
    modules are imported. An answer for another URL than the settings' is not used.
    """
    if not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return None
    uri = jwks_uri_in(env)
    if uri is None:
        return None  # the cold start reads the settings and reports the problem
    _QUICK_SWITCHING.begin()
    fetch = StartedFetch(uri, _prepared_fetcher(uri), when_done=_QUICK_SWITCHING.end)
    if fetch.prepared.wait(wait_seconds):
        fetch.sent.wait(send_wait_seconds)
    return fetch


class _Started:
    """This process's fetch begun at init: taken at most once, by the first engine built."""

    def __init__(self, fetch: StartedFetch | None) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()

    def take(self) -> StartedFetch | None:
        with self._lock:
            fetch, self._fetch = self._fetch, None
        return fetch


_STARTED = _Started(start_jwks_fetch(os.environ))


def take_started_fetch() -> StartedFetch | None:
    """The fetch begun at init, once; None if there is none (or it was taken). The JWKS cache
    uses its answer only if it fetched the cache's own URL."""
    return _STARTED.take()
