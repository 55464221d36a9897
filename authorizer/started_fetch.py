"""One JWKS fetch running on its own thread, begun before anything asked for keys (I/O).

Lambda's init starts one per key set (:mod:`authorizer.lambda_init`) so that the requests travel
while the rest of the authorizer is imported and built; the JWKS cache of its URL takes its answer
as its initial fetch (:attr:`authorizer.jwks.JwksCache.initial`), the key set's age counted from
:attr:`StartedFetch.started_at`, the moment the fetch began: never from when its answer was used.

The thread prepares (makes the fetcher: its imports, its TLS context), then does what the fetcher
does (one bounded request) and keeps the bytes or the failure; whoever takes the answer waits for
it at most a given time. It is a daemon thread: a process that exits does not wait for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from authorizer.errors import JwksUnavailable, Reason


# makes the fetcher; it is given the wait to call once the request is sent (see http_fetch)
Prepare = Callable[[Callable[[float], None]], Callable[[str], bytes]]


class StartedFetch:
    """``fetcher = prepare()`` then ``fetcher(uri)``, on a daemon thread started at construction."""

    def __init__(self, uri: str, prepare: Prepare, clock: Callable[[], float] = time.monotonic,
                 when_done: Callable[[], None] | None = None) -> None:
        self.uri = uri
        self.started_at = clock()
        self.duration_seconds = 0.0  # from the start to the answer, once done
        self.prepared = threading.Event()  # the fetcher is made: the network is next (or it failed)
        self.sent = threading.Event()  # the request is on the wire (or the fetch ended without sending it)
        self._wanted = threading.Event()  # the answer is awaited: read it now
        self._done = threading.Event()
        self._document: bytes | None = None
        self._failure: JwksUnavailable | None = None
        self._prepare = prepare
        self._when_done = when_done  # called on the thread once the answer (or the failure) is in
        self._begun = time.perf_counter()
        threading.Thread(target=self._run, name="jwks-init-fetch", daemon=True).start()

    def _run(self) -> None:
        try:
            fetcher = self._prepare(self._until_wanted)
            self.prepared.set()
            self._document = fetcher(self.uri)
        except JwksUnavailable as failure:
            self._failure = failure
        except Exception as error:  # noqa: BLE001 - any surprise on the thread is a failed fetch, never keys
            self._failure = JwksUnavailable(f"JWKS fetch failed ({type(error).__name__})",
                                            reason=Reason.JWKS_UNREACHABLE)
        finally:
            self.duration_seconds = time.perf_counter() - self._begun
            if self._when_done is not None:
                self._when_done()
            self.prepared.set()
            self.sent.set()
            self._done.set()

    def _until_wanted(self, seconds_left: float) -> None:
        """Once the request is sent: sleep (without the GIL) until the answer is wanted, so that
        reading it never competes with the imports of init; the kernel buffers what arrives."""
        self.sent.set()
        self._wanted.wait(seconds_left)

    def abandon(self) -> None:
        """Nobody will take the answer: the thread reads it now and ends (it is never used)."""
        self._wanted.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def answer(self, wait_seconds: float) -> bytes:
        """The JWKS bytes, after waiting at most ``wait_seconds``; else :class:`JwksUnavailable`."""
        self._wanted.set()
        if not self._done.wait(wait_seconds):
            raise JwksUnavailable("the JWKS fetch begun at init did not finish in time", reason=Reason.JWKS_TIMEOUT)
        if self._failure is not None:
            raise self._failure
        if self._document is None:  # cannot happen: the thread sets one of the two
            raise JwksUnavailable("the JWKS fetch begun at init gave no answer", reason=Reason.JWKS_UNREACHABLE)
        return self._document
