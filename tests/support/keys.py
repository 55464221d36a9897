"""RSA keys generated at test time (never committed) and their JWKs."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa


def _b64_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def jwk(self, alg: str | None = "RS256", **extra: Any) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        jwk: dict[str, Any] = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64_uint(numbers.n),
            "e": _b64_uint(numbers.e),
        }
        if alg is not None:
            jwk["alg"] = alg
        jwk.update(extra)
        return jwk


@cache
def rsa_key(kid: str, bits: int = 2048) -> SigningKey:
    """A key per kid, generated once per test session."""
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=bits))


def jwks_document(*jwks: dict[str, Any]) -> dict[str, Any]:
    return {"keys": list(jwks)}
