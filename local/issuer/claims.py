"""The header and claims of an access token, in the client's Auth0 dialect (pure).

| | Auth0 profile (default) | RFC 9068 profile |
|---|---|---|
| header ``typ`` | ``JWT`` | ``at+jwt`` |
| client | ``azp`` and ``gty: client-credentials`` | ``client_id`` and ``jti`` |
| both | ``iss`` (trailing ``/``), ``sub`` = ``<client_id>@clients``, ``aud``, ``iat``, ``exp``, ``scope`` | |

With RBAC's "Add Permissions in the Access Token", ``permissions`` lists the granted scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.issuer.directory import Client


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What a validated client-credentials request asks for."""

    client: Client
    audience: str
    scopes: tuple[str, ...]
    lifetime_seconds: int


def token_header(request: TokenRequest, kid: str, algorithm: str) -> dict[str, Any]:
    typ = "at+jwt" if request.client.token_dialect == "rfc9068" else "JWT"
    return {"alg": algorithm, "typ": typ, "kid": kid}


def token_claims(request: TokenRequest, issuer: str, now: int, jti: str) -> dict[str, Any]:
    client_id = request.client.client_id
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": f"{client_id}@clients",
        "aud": request.audience,
        "iat": now,
        "exp": now + request.lifetime_seconds,
        "scope": " ".join(request.scopes),
    }
    if request.client.token_dialect == "rfc9068":
        claims.update(client_id=client_id, jti=jti)
    else:
        claims.update(azp=client_id, gty="client-credentials")
    if request.client.add_permissions:
        claims["permissions"] = list(request.scopes)
    return claims
