"""The header and claims of an access token, in the client's Auth0 dialect (pure).

| | Auth0 profile (default) | RFC 9068 profile |
|---|---|---|
| header ``typ`` | ``JWT`` | ``at+jwt`` |
| client | ``azp`` and ``gty: client-credentials`` | ``client_id`` and ``jti`` |
| both | ``iss`` (trailing ``/``), ``sub`` = ``<client_id>@clients``, ``aud``, ``iat``, ``exp``, ``scope`` | |

With RBAC's "Add Permissions in the Access Token", ``permissions`` lists the granted scopes. A
token issued for an Organization (the request's ``organization``) carries ``org_id`` and
``org_name`` (jwt-auth0.md §3.2; whether Auth0 puts ``org_name`` in every such token, or only
with a tenant setting, is UNVERIFIED: this issuer always does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.issuer.directory import Client, Organization


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What a validated client-credentials request asks for."""

    client: Client
    audience: str
    scopes: tuple[str, ...]
    lifetime_seconds: int
    organization: Organization | None = None


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
    if request.organization is not None:
        claims.update(org_id=request.organization.org_id, org_name=request.organization.name)
    return claims
