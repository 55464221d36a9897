"""The very beginning of Lambda's init: the JWKS fetches start before the authorizer is imported.

``app.py`` imports this module before anything else, so importing it is the first thing a cold
start does. In Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set) it starts one fetch per key set the
settings name (:func:`jwks_uris_to_fetch`: JWKS_URI or TOKEN_ISSUER's; with ISSUERS_FILE, every
issuer's, read from the build's compiled issuers file with ``json`` and ``hashlib`` only), each
on a daemon thread (:class:`~authorizer.started_fetch.StartedFetch`): the first thread imports the
fetcher and creates its TLS context, then each sends its request. The main thread waits
for that local part (at most :data:`PREPARE_WAIT_SECONDS`), then for the requests to leave (at most
:data:`SEND_WAIT_SECONDS` each, the CPU a connect and a handshake need): with one GIL, the main
thread's imports would otherwise starve them and the requests would leave only when init is nearly
done. While any fetch runs, the switch interval is :data:`INIT_SWITCH_INTERVAL_SECONDS`, so that
each later step of a fetch gets the GIL from the importing main thread at once.
Then, while the requests cross the network, the main thread imports Powertools and
cryptography, loads the rules and builds the engine, each of whose JWKS caches takes the answer
for its own URL as its initial fetch (:func:`take_started_fetches`); init's prefetch waits only
for what is left of them.

The freshness rule is the cache's own: the keys count as fetched when their fetch began. Outside
Lambda, with an invalid configuration (the cold start reports it), or with an issuers file
without a usable compiled form beside it, nothing is fetched here.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping

from authorizer.fetch_url import MAX_JWKS_BYTES, MAX_JWKS_TIMEOUT_SECONDS, SINGLE_ISSUER_VARIABLES, jwks_uri_in
from authorizer.started_fetch import StartedFetch

# the folder holding the package (/var/task in Lambda): a relative ISSUERS_FILE is read from there
FUNCTION_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

PREPARE_WAIT_SECONDS = 0.25  # the main thread's wait for the fetch's local part, at most
# then its wait for each request to leave, at most: the CPU of a connect and a TLS 1.3 handshake is
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


def _start(uri: str) -> StartedFetch:
    _QUICK_SWITCHING.begin()
    return StartedFetch(uri, _prepared_fetcher(uri), when_done=_QUICK_SWITCHING.end)


def jwks_uris_to_fetch(env: Mapping[str, str], function_root: str = FUNCTION_ROOT) -> tuple[str, ...]:
    """The JWKS URLs the settings in ``env`` name, each once, if keys may be fetched from them.

    Without ISSUERS_FILE: JWKS_URI, else TOKEN_ISSUER's (:func:`authorizer.fetch_url.jwks_uri_in`).
    With it (relative to ``function_root``, as the settings read it): every issuer's, from the
    file's compiled form (:func:`authorizer.issuer_uris.compiled_jwks_uris`), unless a
    single-issuer variable is set too. Anything else is (): the cold start reports the problem.
    """
    issuers_file = env.get("ISSUERS_FILE", "").strip()
    if not issuers_file:
        uri = jwks_uri_in(env)
        return () if uri is None else (uri,)
    if any(env.get(name, "").strip() for name in SINGLE_ISSUER_VARIABLES):
        return ()
    from authorizer.issuer_uris import compiled_jwks_uris  # hashlib: only an issuers file needs it this early

    return compiled_jwks_uris(os.path.join(function_root, issuers_file))


def start_jwks_fetches(env: Mapping[str, str], wait_seconds: float = PREPARE_WAIT_SECONDS,
                       send_wait_seconds: float = SEND_WAIT_SECONDS,
                       function_root: str = FUNCTION_ROOT) -> dict[str, StartedFetch]:
    """In Lambda, the JWKS fetches the settings in ``env`` call for, started, by URL; else none.

    The settings are read later, by the engine; here only the JWKS URLs are, with the same rules
    (:func:`jwks_uris_to_fetch`), so that the requests leave before the settings' modules are
    imported. An answer for a URL that no JWKS cache has is never used.

    The first fetch makes the fetcher (its imports, the TLS context every fetch shares): the main
    thread waits for that (at most ``wait_seconds`` for all of them), then starts the others, then
    waits for every request to leave (at most ``send_wait_seconds`` each: they share one GIL).
    """
    if not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return {}
    uris = jwks_uris_to_fetch(env, function_root)
    if not uris:
        return {}
    prepared_by = time.monotonic() + wait_seconds
    first = _start(uris[0])
    first.prepared.wait(wait_seconds)
    fetches = {uri: first if uri == uris[0] else _start(uri) for uri in uris}
    if all(fetch.prepared.wait(max(0.0, prepared_by - time.monotonic())) for fetch in fetches.values()):
        sent_by = time.monotonic() + send_wait_seconds * len(fetches)
        for fetch in fetches.values():
            fetch.sent.wait(max(0.0, sent_by - time.monotonic()))
    return fetches


class _Started:
    """This process's fetches begun at init: taken at most once, by the first engine built."""

    def __init__(self, fetches: Mapping[str, StartedFetch]) -> None:
        self._fetches: Mapping[str, StartedFetch] = dict(fetches)
        self._lock = threading.Lock()

    def take(self) -> Mapping[str, StartedFetch]:
        with self._lock:
            fetches, self._fetches = self._fetches, {}
        return fetches


_STARTED = _Started(start_jwks_fetches(os.environ))


def take_started_fetches() -> Mapping[str, StartedFetch]:
    """The fetches begun at init by JWKS URL, once; empty if there are none (or they were taken).
    Each JWKS cache takes the one of its own URL: an answer for a URL no cache has is never used."""
    return _STARTED.take()
