"""The JWKS cache: the authorizer's only network I/O, kept across warm invocations.

Policy (see README "Configuration"):

* one fetch per container under valid traffic; a scheduled refresh after
  ``cache_ttl_seconds``; the whole set is replaced on each good fetch, so a
  key removed upstream stops verifying;
* an unknown ``kid`` triggers one refetch, and then no other unknown-kid
  refetch for ``unknown_kid_cooldown_seconds`` (counted between unknown-kid
  refetches only, so a key published just after a scheduled fetch is picked up
  at once, while a flood of forged kids costs one request per cooldown);
* while the endpoint fails, the last good keys serve for at most
  ``max_stale_seconds`` after their fetch; no new attempt is made for
  ``retry_after_failure_seconds`` after a failure;
* every fetch has one deadline for connect and body, a size cap, no
  redirects, https only (http on loopback hosts);
* the initial fetch may be one begun earlier (:attr:`JwksCache.initial`, Lambda's init starts it
  beside the imports): its keys count as fetched when that fetch began, so no key set serves
  longer than the TTL after its request (stale-if-error aside), however early it was made.

The fetcher and the clock are injected, so tests drive time and use a real
HTTP server on 127.0.0.1 instead of patching.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

from authorizer.config import JwksSettings
from authorizer.errors import JwksBackoff, JwksUnavailable, Reason, UnknownKid
from authorizer.http_fetch import Fetcher, make_http_fetcher
from authorizer.jwk import KeySet, VerificationKey, parse_jwks
from authorizer.started_fetch import StartedFetch

__all__ = ["FetchRecord", "FetchTrigger", "Fetcher", "JwksCache", "make_http_fetcher"]

Clock = Callable[[], float]


class FetchTrigger(StrEnum):
    """Why a fetch was made (the ``trigger`` dimension of ``JwksFetches``)."""

    INITIAL = "initial"
    SCHEDULED = "scheduled"
    UNKNOWN_KID = "unknown_kid"


class FetchRecord:
    """The outcome of one fetch attempt, for logs and metrics."""

    __slots__ = ("ok", "reason", "trigger", "duration_seconds", "skipped_keys")

    def __init__(
        self,
        ok: bool,
        reason: Reason | None,
        trigger: FetchTrigger,
        duration_seconds: float,
        skipped_keys: Mapping[str, int] | None = None,
    ) -> None:
        self.ok = ok
        self.reason = reason  # why it failed; None when it succeeded
        self.trigger = trigger
        self.duration_seconds = duration_seconds
        # a good set's unusable keys, by reason
        self.skipped_keys: Mapping[str, int] = {} if skipped_keys is None else skipped_keys

    @property
    def result(self) -> str:
        """``ok``, or the failure's reason code (the ``result`` dimension of ``JwksFetches``)."""
        return "ok" if self.ok else str(self.reason)


class JwksCache:
    """One issuer's keys, fetched and refreshed as this module says (mutable; a lock guards it)."""

    __slots__ = (
        "settings", "fetcher", "clock", "on_fetch", "_keys", "_fetched_at", "_last_failure_at",
        "_last_unknown_kid_fetch_at", "_lock", "fetch_count", "initial",
    )

    def __init__(
        self,
        settings: JwksSettings,
        fetcher: Fetcher,
        clock: Clock = time.monotonic,
        on_fetch: Callable[[FetchRecord], None] | None = None,
        initial: StartedFetch | None = None,
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.clock = clock
        self.on_fetch = on_fetch
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._last_failure_at: float | None = None
        self._last_unknown_kid_fetch_at: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0
        self.initial = initial  # a fetch of settings.uri begun before the cache: the first answer

    def get_key(self, kid: str) -> tuple[VerificationKey, bool]:
        """The key for ``kid`` and whether it came from the warm cache without a fetch.

        Raises :class:`UnknownKid` (401) when the issuer does not publish the
        kid, or the usable cached set lacks it and its refetch fails or is
        held back; :class:`JwksUnavailable` (500) only when no usable key set
        exists.
        """
        with self._lock:
            now = self.clock()
            fetched = False
            if self._keys is None:
                self._refresh(now, FetchTrigger.INITIAL)
                fetched = True
            # (also right after an initial fetch begun long ago: its keys are as old as its request)
            if now - self._fetched_at >= self.settings.cache_ttl_seconds:
                fetched = self._try_refresh(now, FetchTrigger.SCHEDULED) or fetched
            keys = self._usable_keys(now)
            key = keys.keys.get(kid)
            if key is not None:
                return key, not fetched
            if not self._may_refetch_unknown_kid(now):
                raise UnknownKid("kid is not in the issuer's key set")
            try:
                self._refresh(now, FetchTrigger.UNKNOWN_KID)
            except JwksUnavailable as failure:
                if not isinstance(failure, JwksBackoff):  # a request was made: the cooldown starts
                    self._last_unknown_kid_fetch_at = now
                # The cached set is still usable and does not hold the kid: the token is refused
                # (401), since a client-chosen kid must not turn an endpoint outage into answers
                # of 500. Its own reason tells it from a plain unknown kid: during an outage it is
                # also what a key Auth0 has just rotated in looks like, so operators can alarm on it.
                raise UnknownKid(
                    f"kid is not in the cached key set; its refetch failed ({failure.reason})",
                    reason=Reason.UNKNOWN_KID_UNCONFIRMED,
                ) from None
            self._last_unknown_kid_fetch_at = now
            key = self._usable_keys(now).keys.get(kid)
            if key is None:
                raise UnknownKid("kid is not in the issuer's key set")
            return key, False

    def prefetch(self) -> bool:
        """Fetch the key set ahead of the first token (Lambda's init phase).

        A failure here does not start the retry backoff: the first invocation
        tries again.
        """
        with self._lock:
            if self._keys is not None:
                return True
            ok = self._try_refresh(self.clock(), FetchTrigger.INITIAL)
            if not ok:
                self._last_failure_at = None
            return ok

    def _serve_limit(self) -> float:
        return self.settings.cache_ttl_seconds + self.settings.max_stale_seconds

    def _may_refetch_unknown_kid(self, now: float) -> bool:
        last = self._last_unknown_kid_fetch_at
        return last is None or now - last >= self.settings.unknown_kid_cooldown_seconds

    def _usable_keys(self, now: float) -> KeySet:
        if self._keys is None or now - self._fetched_at > self._serve_limit():
            raise JwksUnavailable("no usable JWKS (endpoint failing, cached keys too old)")
        return self._keys

    def _try_refresh(self, now: float, trigger: FetchTrigger) -> bool:
        """Refresh if allowed; on failure keep serving the last good keys."""
        try:
            self._refresh(now, trigger)
            return True
        except JwksUnavailable:
            return False

    def _refresh(self, now: float, trigger: FetchTrigger) -> None:
        last_failure = self._last_failure_at
        if (
            last_failure is not None
            and now - last_failure < self.settings.retry_after_failure_seconds
        ):
            raise JwksBackoff("JWKS endpoint failed moments ago")
        started = time.perf_counter()
        self.fetch_count += 1
        begun_early, self.initial = self.initial, None
        fetched_at = now
        try:
            if begun_early is not None and begun_early.uri == self.settings.uri:
                document = self._early_answer(begun_early)
                fetched_at = begun_early.started_at  # the keys are as old as their request
                started = time.perf_counter() - begun_early.duration_seconds  # from its start to its answer read
            else:
                document = self.fetcher(self.settings.uri)
            keys = parse_jwks(
                document,
                default_algorithm=self.settings.default_algorithm,
                allowed_algorithms=self.settings.allowed_algorithms,
            )
        except JwksUnavailable as error:
            self._last_failure_at = now
            self._record(False, error.reason, trigger, started)
            raise
        self._keys = keys
        self._fetched_at = fetched_at
        self._last_failure_at = None
        self._record(True, None, trigger, started, keys.skipped)

    def _early_answer(self, fetch: StartedFetch) -> bytes:
        """The answer of a fetch begun before the settings were read, held to them."""
        document = fetch.answer(self.settings.timeout_seconds)
        if len(document) > self.settings.max_bytes:
            raise JwksUnavailable("JWKS response too large", reason=Reason.JWKS_TOO_LARGE)
        return document

    def _record(self, ok: bool, reason: Reason | None, trigger: FetchTrigger, started: float,
                skipped_keys: Mapping[str, int] | None = None) -> None:
        if self.on_fetch is None:
            return
        try:
            self.on_fetch(FetchRecord(ok, reason, trigger, time.perf_counter() - started, skipped_keys or {}))
        except Exception:  # noqa: BLE001 - reporting a fetch (metrics) never changes its outcome
            pass
