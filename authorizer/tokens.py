"""Verify an Auth0 access token against a given key, settings and time (pure).

Two steps, so that the shell can look the key up (and refetch the JWKS) in
between:

1. :func:`decompose_unverified_jwt` checks the token's shape before anything
   is trusted: a size cap before any decoding, exactly three canonical
   base64url segments without padding, JSON objects without duplicate keys or
   NaN, an allowed ``alg``, an accepted ``typ``, a ``kid``, and none of the
   headers that point key lookup elsewhere (``jku``, ``x5u``, ``jwk``,
   ``x5c``) or change processing (``crit``, ``b64``, ``cty``).
2. :func:`verify_jwt` binds the header ``alg`` to the key's one algorithm,
   verifies the signature (``cryptography``'s RSA verify, :mod:`authorizer.jwk`), then
   checks every claim once, strictly: exact ``iss``; ``aud`` a string or a
   list holding one of the issuer's audiences; ``exp`` required; times are
   real numbers (never strings or booleans); ``sub`` a non-empty string; the
   dialect's client id; scopes well-formed; ``org_id``, when present, a
   non-empty string; and last :func:`check_claims_in_force`: ``exp``, ``nbf``
   and ``iat`` against the time, with the clock skew.

Between the two, the shell picks the issuer's settings and key set by the yet
unverified ``iss`` (:mod:`authorizer.key_sets`); ``verify_jwt`` then checks
``iss`` exactly against the settings it was given.

What a token says never changes, so a verified token's :class:`Claims` can be
remembered; whether they are in force does. Every check whose answer depends
on the time therefore lives in :func:`check_claims_in_force` and only there:
``verify_jwt`` runs it once, and the engine runs it again on each reuse of a
remembered token.

Nothing here logs, reads the clock or touches the network. Every refusal is an
:class:`InvalidToken` subclass whose message holds no token material.
"""

from __future__ import annotations

import binascii
import json
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from authorizer.config import TokenSettings
from authorizer.errors import (
    AlgorithmNotAllowed,
    BadSignature,
    ForbiddenHeader,
    InvalidClaim,
    MalformedToken,
    NotClientCredentials,
    Reason,
    TokenExpired,
    TokenNotYetValid,
    TokenTooLarge,
    WrongAudience,
    WrongIssuer,
    WrongTokenType,
)
from authorizer.jwk import MAX_KID_LENGTH, VerificationKey
from authorizer.scope import SCOPE_TOKEN

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_FORBIDDEN_HEADERS = ("jku", "x5u", "jwk", "x5c", "crit", "b64", "cty")
_PROFILE_BY_TYP = {"jwt": "auth0", "at+jwt": "rfc9068", "application/at+jwt": "rfc9068"}
MAX_SCOPES = 256


class UnverifiedJwt(NamedTuple):
    """A token whose shape was checked but whose signature and claims are yet unverified."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]  # yet unverified: never trust, never log
    signing_input: bytes
    signature: bytes
    alg: str
    kid: str
    profile: str


class Claims:
    """What a verified token says about its caller; never changed once built.

    A plain class with slots rather than a NamedTuple: its fields are read on every decision, and
    a slot reads in about half the time of a NamedTuple field. Nothing compares or hashes claims.
    """

    __slots__ = (
        "subject", "client_id", "issuer", "scopes", "expires_at", "issued_at", "not_before", "profile", "token_id",
        "key_id", "organization",
    )

    def __init__(
        self,
        subject: str,
        client_id: str,
        issuer: str,
        scopes: tuple[str, ...],
        expires_at: float,
        issued_at: float | None,
        not_before: float | None,
        profile: str,
        token_id: str | None,
        key_id: str,
        organization: str | None = None,
    ) -> None:
        self.subject = subject
        self.client_id = client_id
        self.issuer = issuer
        self.scopes = scopes
        self.expires_at = expires_at
        self.issued_at = issued_at
        self.not_before = not_before
        self.profile = profile
        self.token_id = token_id
        self.key_id = key_id
        self.organization = organization  # Auth0's org_id: the Organization the token was issued for


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise MalformedToken("token JSON repeats a member name")
        result[name] = value
    return result


def _reject_constant(name: str) -> Any:
    raise MalformedToken("token JSON holds a non-finite number")


# A segment of length 4k+2 (4k+3) ends in a character whose low 4 (2) bits are unused: they must
# be zero, or two different segments would decode to the same bytes (RFC 4648 §3.5, canonical).
_CANONICAL_LAST = {
    2: frozenset("AQgw"),
    3: frozenset("AEIMQUYcgkosw048"),
}


def _b64url_decode(segment: str) -> bytes:
    if not _SEGMENT.fullmatch(segment):
        raise MalformedToken("token segment is not unpadded base64url")
    remainder = len(segment) % 4
    if remainder == 1:
        raise MalformedToken("token segment is not unpadded base64url")
    if remainder and segment[-1] not in _CANONICAL_LAST[remainder]:
        raise MalformedToken("token segment is not canonical base64url")
    try:
        return binascii.a2b_base64(
            segment.replace("-", "+").replace("_", "/") + "=" * (-len(segment) % 4), strict_mode=True
        )
    except (binascii.Error, ValueError):
        raise MalformedToken("token segment is not base64url") from None


# One decoder for every token (json.loads with hooks would build a new decoder per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedToken(f"token {what} is not UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken(f"token {what} is not a JSON object")
    return value


def decompose_unverified_jwt(token: str, settings: TokenSettings) -> UnverifiedJwt:
    """Check a compact JWS's shape and header; return it yet unverified."""
    if len(token) > settings.max_token_bytes:
        raise TokenTooLarge(f"token longer than {settings.max_token_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("token does not have three segments")
    header_b64, payload_b64, signature_b64 = parts
    header = _checked_header(header_b64, settings.algorithms, settings.profiles)
    payload = _json_object(_b64url_decode(payload_b64), "payload")
    signature = _b64url_decode(signature_b64)
    return UnverifiedJwt(
        header=header.members,
        payload=payload,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
        alg=header.alg,
        kid=header.kid,
        profile=header.profile,
    )


class _Header(NamedTuple):
    members: Mapping[str, Any]  # read-only: one instance serves every token with this header
    alg: str
    kid: str
    profile: str


@lru_cache(maxsize=64)
def _checked_header(header_b64: str, algorithms: tuple[str, ...], profiles: tuple[str, ...]) -> _Header:
    """The checked header of a segment; memoized, since an issuer's tokens share a few headers.

    A refusal raises and is never memoized, so every token with a bad header is checked in full.
    """
    header = _json_object(_b64url_decode(header_b64), "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise AlgorithmNotAllowed("token alg is not allowed")
    for name in _FORBIDDEN_HEADERS:
        if name in header:
            raise ForbiddenHeader(f"token header '{name}' is not accepted")
    typ = header.get("typ")
    profile = _PROFILE_BY_TYP.get(typ.lower()) if isinstance(typ, str) else None
    if profile is None or profile not in profiles:
        raise WrongTokenType("token typ is not an accepted access-token type")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise MalformedToken("token header has no usable kid")
    return _Header(MappingProxyType(header), alg, kid, profile)


def _number(payload: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = payload.get(name)
    if value is None:
        if required or name in payload:
            raise InvalidClaim(f"claim '{name}' is missing", reason=Reason.MISSING_CLAIM)
        return None
    try:  # an int beyond float range raises OverflowError in float()
        number = float(value) if type(value) in (int, float) else math.nan
    except OverflowError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidClaim(f"claim '{name}' is not a number")
    return number


def _string(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required and name not in payload:
        return None
    if not isinstance(value, str) or not value:
        if value is None:
            raise InvalidClaim(f"claim '{name}' is missing", reason=Reason.MISSING_CLAIM)
        raise InvalidClaim(f"claim '{name}' is not a non-empty string")
    return value


def read_scopes(payload: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    scope = payload.get("scope")
    if scope is not None:
        if not isinstance(scope, str):
            raise InvalidClaim("claim 'scope' is not a string")
        found.extend(s for s in scope.split(" ") if s)
    permissions = payload.get("permissions")
    if permissions is not None:
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise InvalidClaim("claim 'permissions' is not a list of strings")
        found.extend(permissions)
    if len(found) > MAX_SCOPES:
        raise InvalidClaim(f"token holds more than {MAX_SCOPES} scopes")
    for item in found:
        if not SCOPE_TOKEN.fullmatch(item):
            raise InvalidClaim("token holds a malformed scope")
    return tuple(dict.fromkeys(found))


def _check_audience(payload: Mapping[str, Any], audiences: tuple[str, ...]) -> None:
    aud = payload.get("aud")
    if isinstance(aud, str):
        ok = aud in audiences
    elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        ok = any(a in audiences for a in aud)
    elif aud is None:
        raise InvalidClaim("claim 'aud' is missing", reason=Reason.MISSING_CLAIM)
    else:
        raise InvalidClaim("claim 'aud' is neither a string nor a list of strings")
    if not ok:
        raise WrongAudience("token is meant for another audience")


def _check_client_credentials(payload: Mapping[str, Any], profile: str, subject: str, client_id: str) -> None:
    """Auth0 issues client-credentials tokens to ``<client id>@clients`` (with ``gty`` in its dialect)."""
    if subject != f"{client_id}@clients":
        raise NotClientCredentials("token subject is not the client itself (not a client-credentials token)")
    if profile == "auth0" and payload.get("gty") != "client-credentials":
        raise NotClientCredentials("token gty is not client-credentials")


def verify_jwt(
    jwt: UnverifiedJwt, key: VerificationKey, settings: TokenSettings, now: float
) -> Claims:
    """Verify signature and claims of ``jwt`` with ``key`` at time ``now`` (epoch seconds)."""
    if jwt.alg != key.algorithm:
        raise AlgorithmNotAllowed("token alg differs from its key's", reason=Reason.ALG_KEY_MISMATCH)
    if not key.verify(jwt.signing_input, jwt.signature):
        raise BadSignature("token signature does not verify")
    payload = jwt.payload
    issuer = payload.get("iss")
    if not isinstance(issuer, str):
        raise InvalidClaim("claim 'iss' is missing or not a string", reason=Reason.MISSING_CLAIM)
    if issuer != settings.issuer:
        raise WrongIssuer("token is from another issuer")
    _check_audience(payload, settings.audiences)
    expires_at = _number(payload, "exp", required=True)
    assert expires_at is not None
    not_before = _number(payload, "nbf", required=False)
    rfc9068 = jwt.profile == "rfc9068"
    issued_at = _number(payload, "iat", required=rfc9068)
    subject = _string(payload, "sub")
    client_id = _string(payload, "client_id" if rfc9068 else "azp")
    token_id = _string(payload, "jti", required=rfc9068)
    organization = _string(payload, "org_id", required=False)
    assert subject is not None and client_id is not None
    if settings.client_credentials_only:
        _check_client_credentials(payload, jwt.profile, subject, client_id)
    claims = Claims(
        subject=subject,
        client_id=client_id,
        issuer=issuer,
        scopes=read_scopes(payload),
        expires_at=expires_at,
        issued_at=issued_at,
        not_before=not_before,
        profile=jwt.profile,
        token_id=token_id,
        key_id=jwt.kid,
        organization=organization,
    )
    check_claims_in_force(claims, settings, now)
    return claims


def check_claims_in_force(claims: Claims, settings: TokenSettings, now: float) -> None:
    """Raise unless verified ``claims`` are in force at ``now`` (epoch seconds), with the skew.

    Every check whose answer can change while a verified token is remembered belongs here, so
    that the engine, which runs this on each reuse of a remembered token, re-runs it too.
    """
    skew = settings.clock_skew_seconds
    if now - skew >= claims.expires_at:
        raise TokenExpired("token has expired")
    if claims.not_before is not None and claims.not_before > now + skew:
        raise TokenNotYetValid("token is not valid yet")
    if claims.issued_at is not None and claims.issued_at > now + skew:
        raise TokenNotYetValid("token was issued in the future", reason=Reason.IAT_IN_FUTURE)
