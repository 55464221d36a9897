"""Per-issuer key sets: which keys may verify a token, chosen by its issuer (the JWKS caches' holder).

Each trusted issuer (:mod:`authorizer.issuers`) has its own :class:`~authorizer.jwks.JwksCache`,
with the same TTL, cooldown, stale-if-error and bounds, and its own verification settings. A key
is trusted only for tokens of the issuer that published it: the token's ``iss`` picks the issuer
first, then only that issuer's key set is asked for the ``kid``, so the same ``kid`` at two
issuers never crosses, and the verifier then checks ``iss`` exactly against the issuer chosen.

The ``iss`` read to choose is yet unverified, so choosing decides nothing by itself: an ``iss``
that names no trusted issuer is refused (:class:`~authorizer.errors.UnknownIssuer`, 401) before
any key lookup, and never causes a fetch, so a flood of tokens naming many issuers costs nothing
upstream; a token of a dialect its issuer is not trusted for is refused before any lookup too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType

from authorizer.config import JwksSettings, TokenSettings
from authorizer.errors import InvalidClaim, Reason, UnknownIssuer, WrongTokenType
from authorizer.http_fetch import Fetcher
from authorizer.issuers import Issuer
from authorizer.jwks import Clock, FetchRecord, JwksCache
from authorizer.started_fetch import StartedFetch
from authorizer.tokens import UnverifiedJwt


class TrustedIssuer:
    """One issuer's verification settings and the cache of the keys it publishes; never changed once built.

    Slots, not a NamedTuple: ``keys`` is read on every decision (see :class:`~authorizer.tokens.Claims`).
    """

    __slots__ = ("settings", "keys")

    def __init__(self, settings: TokenSettings, keys: JwksCache) -> None:
        self.settings = settings  # issuer, audiences and profiles are this issuer's
        self.keys = keys


class KeySets:
    """The trusted issuers by exact ``iss``, each with its own key set."""

    def __init__(self, issuers: Mapping[str, TrustedIssuer], shape: TokenSettings) -> None:
        self._issuers = MappingProxyType(dict(issuers))
        self.shape = shape  # what every token is checked against before its issuer is known

    @classmethod
    def build(
        cls,
        issuers: Sequence[Issuer],
        token: TokenSettings,
        jwks: JwksSettings,
        fetcher: Fetcher,
        clock: Clock,
        on_fetch: Callable[[FetchRecord], None] | None = None,
    ) -> KeySets:
        """One cache per issuer; ``token`` and ``jwks`` hold what the issuers share."""
        trusted = {
            issuer.issuer: TrustedIssuer(
                token._replace(issuer=issuer.issuer, audiences=issuer.audiences, profiles=issuer.profiles),
                JwksCache(jwks._replace(uri=issuer.jwks_uri), fetcher, clock, on_fetch),
            )
            for issuer in issuers
        }
        profiles = tuple(dict.fromkeys(p for issuer in issuers for p in issuer.profiles))
        return cls(trusted, token._replace(issuer="", audiences=(), profiles=profiles))

    def __iter__(self) -> Iterator[TrustedIssuer]:
        return iter(self._issuers.values())

    def __len__(self) -> int:
        return len(self._issuers)

    def for_token(self, jwt: UnverifiedJwt) -> TrustedIssuer:
        """The issuer a yet unverified token names, if trusted and trusted for its dialect."""
        issuer = jwt.payload.get("iss")
        if not isinstance(issuer, str):
            raise InvalidClaim("claim 'iss' is missing or not a string", reason=Reason.MISSING_CLAIM)
        trusted = self._issuers.get(issuer)
        if trusted is None:
            raise UnknownIssuer("token names an issuer that is not trusted")
        if jwt.profile not in trusted.settings.profiles:
            raise WrongTokenType("token typ is not an accepted access-token type for its issuer")
        return trusted

    def of(self, issuer: str) -> TrustedIssuer:
        """The issuer of verified claims (a remembered token's); KeyError if no longer trusted."""
        return self._issuers[issuer]

    def take_initial_fetches(self, started: Mapping[str, StartedFetch]) -> None:
        """Each cache takes, as its initial fetch, the fetch begun for its own URL (Lambda's init
        begins them: :mod:`authorizer.lambda_init`); issuers publishing at one URL share its answer,
        and one begun for a URL no cache has is never used."""
        claimed = set()
        for trusted in self:
            fetch = started.get(trusted.keys.settings.uri)
            if fetch is not None:
                trusted.keys.initial = fetch
                claimed.add(fetch.uri)
        for uri, fetch in started.items():
            if uri not in claimed:
                fetch.abandon()  # read and dropped now, not held until its deadline
    def prefetch(self) -> bool:
        """Fetch every issuer's key set ahead of the first token; True when all were fetched.

        Every issuer is tried, whatever the others do: one unreachable issuer does not keep the
        others' keys from being ready. Several issuers are fetched at once, one thread each, so
        init waits for the slowest round trip, not for their sum; each fetch is bounded by
        JWKS_TIMEOUT_SECONDS, so every thread ends.
        """
        caches = [trusted.keys for trusted in self]
        if len(caches) == 1:
            return caches[0].prefetch()
        fetched = [False] * len(caches)
        errors: list[Exception] = []

        def fetch(index: int) -> None:
            try:
                fetched[index] = caches[index].prefetch()
            except Exception as error:  # noqa: BLE001 - raised below, on the calling thread, as one issuer's would be
                errors.append(error)

        threads = [threading.Thread(target=fetch, args=(index,), name=f"jwks-prefetch-{index}", daemon=True)
                   for index in range(len(caches))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return all(fetched)
