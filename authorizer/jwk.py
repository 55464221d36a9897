"""Parse a JWKS document into verification keys, each bound to one algorithm (pure).

RFC 8725 §3.1: every key is used with exactly one algorithm. A key's algorithm
is its JWK ``alg`` when present (it must be allowed), else the configured
default; the token header's ``alg`` must then equal it. Keys that cannot be
used (other key types, ``use`` other than ``sig``, ``key_ops`` without ``verify``
or not a list of distinct strings, private key material, weak RSA, no ``kid``,
duplicate ``kid``) are skipped and counted, never guessed at.

The document is trusted input, but a sloppy or compromised publish fails loudly
rather than being read creatively: a JSON object repeating a member name anywhere
(two ``keys``, two ``n`` in one key) refuses the whole document
(``jwks_duplicate_member``), since which of the two a reader takes is a guess. That
and a document with no usable key at all (``jwks_no_usable_key``) are faults, so
the JWKS cache keeps serving the last good set instead of refusing every client.

Keys and signatures are ``cryptography``'s own: an RSA public key from the JWK's ``n`` and ``e``
(RFC 7518 §6.3.1), verified with PKCS#1 v1.5 (RS256) or PSS with MGF1 and a salt as long as the
hash (PS256, RFC 7518 §3.5), with SHA-256, as PyJWT's RSA algorithms do. PyJWT itself is not
imported: its package pulls in X.509, HTTP and every other algorithm, about half of a cold start's
imports (docs/benchmarks.md), for the two calls used here.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from authorizer.errors import JwksUnavailable, Reason

MIN_RSA_BITS = 2048
MAX_KID_LENGTH = 256
# RFC 7518 §3.3 and §3.5: each algorithm's padding, with SHA-256 (the PSS salt is the hash's length)
_SHA256 = hashes.SHA256()
SIGNATURE_SCHEMES: Mapping[str, padding.AsymmetricPadding] = {
    "RS256": padding.PKCS1v15(),
    "PS256": padding.PSS(mgf=padding.MGF1(_SHA256), salt_length=_SHA256.digest_size),
}
# base64url without its alphabet's padding; trailing '=' is tolerated, as PyJWT tolerated it
_BASE64URL_UINT = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class VerificationKey:
    """A public key from the JWKS, bound to exactly one algorithm; never changed once built.

    Two keys are equal only if they are the same object: the engine reuses a remembered token
    only while its issuer's cache still serves the very key that verified it.
    """

    __slots__ = ("kid", "algorithm", "public_key")

    def __init__(self, kid: str, algorithm: str, public_key: rsa.RSAPublicKey) -> None:
        self.kid = kid
        self.algorithm = algorithm  # a key of SIGNATURE_SCHEMES
        self.public_key = public_key

    def verify(self, signing_input: bytes, signature: bytes) -> bool:
        """True if ``signature`` is this key's signature of ``signing_input``."""
        try:
            self.public_key.verify(signature, signing_input, SIGNATURE_SCHEMES[self.algorithm], _SHA256)
        except InvalidSignature:
            return False
        return True


class _Unparsable(ValueError):
    """A JWK whose ``n`` or ``e`` does not make an RSA public key."""


def _uint(value: str) -> int:
    """A JWK base64urlUInt (RFC 7518 §2) as an int."""
    if not _BASE64URL_UINT.fullmatch(value):
        raise _Unparsable("not base64url")
    digits = value.rstrip("=")
    try:
        raw = binascii.a2b_base64((digits + "=" * (-len(digits) % 4)).replace("-", "+").replace("_", "/"),
                                  strict_mode=True)
    except binascii.Error:
        raise _Unparsable("not base64url") from None
    return int.from_bytes(raw, "big")


def rsa_public_key(entry: Mapping[str, Any]) -> rsa.RSAPublicKey:
    """The RSA public key of a JWK whose ``n`` and ``e`` are strings; :class:`ValueError` if unusable."""
    try:
        return rsa.RSAPublicNumbers(_uint(entry["e"]), _uint(entry["n"])).public_key()
    except ValueError as problem:  # cryptography refuses an even or tiny exponent, or e >= n
        raise _Unparsable(str(problem)) from None


class KeySet:
    """The usable keys of one JWKS document, by ``kid``; never changed once built.

    Slots, not a NamedTuple: ``keys`` is read on every decision (see :class:`~authorizer.tokens.Claims`).
    """

    __slots__ = ("keys", "skipped")

    def __init__(self, keys: Mapping[str, VerificationKey], skipped: Mapping[str, int]) -> None:
        self.keys = keys
        self.skipped = skipped  # reason -> how many keys were skipped for it


def _reject_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise JwksUnavailable(
                f"JWKS repeats the member {name[:64]!r} in one object", reason=Reason.JWKS_DUPLICATE_MEMBER
            )
        result[name] = value
    return result


def _key_ops_problem(entry: dict[str, Any]) -> str | None:
    """RFC 7517 §4.3: ``key_ops``, when present, is a list of distinct strings; ours needs ``verify``."""
    if "key_ops" not in entry:
        return None
    ops = entry["key_ops"]
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops) or len(set(ops)) != len(ops):
        return "invalid_key_ops"
    if "verify" not in ops:
        return "key_ops_without_verify"
    return None


def _key_problem(entry: Any, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(entry, dict):
        return "not_an_object"
    if entry.get("kty") != "RSA":
        return "unsupported_kty"
    if entry.get("use", "sig") != "sig":
        return "not_for_signing"
    if "d" in entry:  # private key material: a JWKS publishes public keys only (RFC 7517 §5)
        return "private_key"
    ops_problem = _key_ops_problem(entry)
    if ops_problem:
        return ops_problem
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        return "missing_kid"
    alg = entry.get("alg")
    if alg is not None and alg not in allowed:
        return "alg_not_allowed"
    if not isinstance(entry.get("n"), str) or not isinstance(entry.get("e"), str):
        return "missing_modulus"
    return None


def parse_jwks(
    document: bytes,
    *,
    default_algorithm: str,
    allowed_algorithms: tuple[str, ...],
) -> KeySet:
    """Parse JWKS bytes; raise :class:`JwksUnavailable` if the document is unusable."""
    try:
        data = json.loads(document, object_pairs_hook=_reject_duplicate_members)
    except (ValueError, RecursionError):
        raise JwksUnavailable("JWKS response is not JSON", reason=Reason.JWKS_INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksUnavailable("JWKS response has no 'keys' list", reason=Reason.JWKS_INVALID)
    skipped: dict[str, int] = {}
    found: dict[str, VerificationKey] = {}
    duplicates: set[str] = set()

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for entry in data["keys"]:
        problem = _key_problem(entry, allowed_algorithms)
        if problem:
            skip(problem)
            continue
        kid = entry["kid"]
        algorithm = entry.get("alg") or default_algorithm
        try:
            public_key = rsa_public_key(entry)
        except _Unparsable:
            skip("unparsable")
            continue
        if public_key.key_size < MIN_RSA_BITS:
            skip("weak_key")
            continue
        if kid in found or kid in duplicates:
            # Two keys under one kid: which one a token means is ambiguous.
            found.pop(kid, None)
            duplicates.add(kid)
            skip("duplicate_kid")
            continue
        found[kid] = VerificationKey(kid=kid, algorithm=algorithm, public_key=public_key)
    if not found:
        # An issuer always publishes its signing key: a set we can use nothing of is a fault
        # (a bad publish, or TOKEN_ALGORITHMS not matching the keys), not every client's.
        why = ", ".join(f"{reason}: {count}" for reason, count in sorted(skipped.items())) or "none"
        raise JwksUnavailable(f"JWKS holds no usable key (skipped {why})", reason=Reason.JWKS_NO_USABLE_KEY)
    return KeySet(keys=found, skipped=skipped)
