"""The one fingerprint: the first 12 hex digits of a text's SHA-256 (pure).

It names a token in the decision log (correlates calls, reveals nothing) and a rules file in the
context and logs (``rules_digest``). Texts may hold unpaired surrogates (JSON allows them), so
they are encoded with ``surrogatepass``.
"""

from __future__ import annotations

import hashlib

FINGERPRINT_HEX_DIGITS = 12


def sha256_digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def fingerprint_of(digest: bytes) -> str:
    """The fingerprint of a SHA-256 digest already computed (the token memo keys by the digest)."""
    return digest.hex()[:FINGERPRINT_HEX_DIGITS]


def fingerprint(text: str) -> str:
    return fingerprint_of(sha256_digest(text))
