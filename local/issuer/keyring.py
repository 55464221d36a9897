"""The issuer's signing keys, generated at start (never written to disk), with Auth0-style rotation.

Auth0 publishes the current and the next key in its JWKS and the previous key until it is
revoked; it signs with one key at a time. :class:`KeyRing` does the same:

>>> ring = KeyRing.generate()
>>> next_kid = ring.publish_next()      # JWKS: current + next
>>> old_kid = ring.activate_next()      # new tokens are signed with next_kid; old key still published
>>> ring.retire(old_kid)                # tokens signed with old_kid no longer verify
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from joserfc.jwk import RSAKey

SIGNING_ALGORITHM = "RS256"


def _new_key() -> RSAKey:
    kid = secrets.token_urlsafe(16)
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": SIGNING_ALGORITHM})


class KeyRingError(ValueError):
    """A rotation step asked for something the ring cannot do (e.g. retiring the signing key)."""


class KeyRing:
    """Published keys in JWKS order; exactly one of them signs."""

    def __init__(self, first: RSAKey) -> None:
        self._lock = threading.Lock()
        self._published: list[RSAKey] = [first]
        self._signing = first
        self._next: RSAKey | None = None

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(_new_key())

    @property
    def signing_key(self) -> RSAKey:
        with self._lock:
            return self._signing

    @property
    def signing_kid(self) -> str:
        return str(self.signing_key.kid)

    def publish_next(self) -> str:
        """Generate the next key and publish it (idempotent until it is activated)."""
        with self._lock:
            if self._next is None:
                self._next = _new_key()
                self._published.append(self._next)
            return str(self._next.kid)

    def activate_next(self) -> str:
        """Sign with the next key from now on; return the previous key's kid (still published)."""
        self.publish_next()
        with self._lock:
            assert self._next is not None
            previous, self._signing, self._next = self._signing, self._next, None
            return str(previous.kid)

    def retire(self, kid: str) -> None:
        """Stop publishing a key that no longer signs (Auth0's "revoke")."""
        with self._lock:
            if kid == self._signing.kid:
                raise KeyRingError("the signing key cannot be retired; activate the next key first")
            if self._next is not None and kid == self._next.kid:
                raise KeyRingError("the next key has not signed anything yet; nothing to retire")
            remaining = [key for key in self._published if key.kid != kid]
            if len(remaining) == len(self._published):
                raise KeyRingError(f"no published key has kid {kid!r}")
            self._published = remaining

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.as_dict(private=False) for key in self._published]}
