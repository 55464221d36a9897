"""Mint Auth0-shaped access tokens for tests (PyJWT signs; the authorizer verifies)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from tests.support.keys import SigningKey

ISSUER = "https://tenant.example.auth0.com/"
AUDIENCE = "https://api.example.com"
CLIENT_ID = "client-abc"


def auth0_claims(**overrides: Any) -> dict[str, Any]:
    """Claims of Auth0's default dialect for a client-credentials token."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": f"{CLIENT_ID}@clients",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "azp": CLIENT_ID,
        "gty": "client-credentials",
        "scope": "read:hello",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not _DROP}


def rfc9068_claims(**overrides: Any) -> dict[str, Any]:
    claims = auth0_claims(azp=_DROP, gty=_DROP, client_id=CLIENT_ID, jti="jti-1")
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not _DROP}


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


_DROP: Any = _Drop()
DROP = _DROP  # pass as a claim value to leave the claim out


def mint(
    key: SigningKey,
    claims: dict[str, Any] | None = None,
    *,
    alg: str = "RS256",
    typ: str | None = "JWT",
    headers: dict[str, Any] | None = None,
) -> str:
    """A signed token; ``headers`` adds or overrides header members.

    Assembled by hand (not with PyJWT) so that tests can produce any header or
    claim, including the malformed ones a verifier must refuse.
    """
    header: dict[str, Any] = {"alg": alg}
    if typ is not None:
        header["typ"] = typ
    header["kid"] = key.kid
    header.update(headers or {})
    body = claims if claims is not None else auth0_claims()
    return resign(key, b64(json.dumps(header).encode()), b64(json.dumps(body).encode()), alg)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_token(header: dict[str, Any] | str, payload: dict[str, Any] | str, signature: bytes = b"sig") -> str:
    """A token assembled by hand (for shapes PyJWT refuses to produce)."""
    def enc(part: dict[str, Any] | str) -> str:
        text = part if isinstance(part, str) else json.dumps(part)
        return b64(text.encode("utf-8"))

    return f"{enc(header)}.{enc(payload)}.{b64(signature)}"


def resign(key: SigningKey, header_b64: str, payload_b64: str, alg: str = "RS256") -> str:
    """Sign an arbitrary header and payload segment with ``key`` (RS256/PS256)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    pad = padding.PKCS1v15() if alg == "RS256" else padding.PSS(
        mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256().digest_size
    )
    signature = key.private_key.sign(signing_input, pad, hashes.SHA256())
    return f"{header_b64}.{payload_b64}.{b64(signature)}"
