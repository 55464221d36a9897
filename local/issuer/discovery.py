"""The issuer's paths, its metadata documents, and its answer at the authorization endpoint (pure).

Two documents describe the same server, for generic OAuth and OIDC clients:

* ``/.well-known/oauth-authorization-server`` (RFC 8414, Authorization Server Metadata);
* ``/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0): the same fields and the
  two OIDC requires on top, ``subject_types_supported`` and ``id_token_signing_alg_values_supported``.

The issuer grants ``client_credentials`` only, and says so in ``grant_types_supported``. Both
specifications still require ``response_types_supported`` (a non-empty list; Authlib's validation
refuses a document without it) and OIDC Discovery requires an ``authorization_endpoint``. So the
documents list ``none``, the registered response type for "the authorization endpoint issues
nothing" (OAuth 2.0 Multiple Response Type Encoding Practices, section 4), and ``/authorize``
exists only to refuse with an RFC 6749 error; it never redirects (no client has a redirect URI):
see :func:`authorization_refusal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TOKEN_PATH = "/oauth/token"
JWKS_PATH = "/.well-known/jwks.json"
AUTHORIZE_PATH = "/authorize"
OAUTH_METADATA_PATH = "/.well-known/oauth-authorization-server"
OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration"

GRANT_TYPES = ("client_credentials",)
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
RESPONSE_TYPES = ("none",)


def authorization_server_metadata(issuer: str, scopes: Iterable[str]) -> dict[str, Any]:
    """RFC 8414 metadata; ``issuer`` exactly as tokens carry it (with its trailing ``/``)."""
    base = issuer.rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "scopes_supported": sorted(set(scopes)),
        "response_types_supported": list(RESPONSE_TYPES),
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(TOKEN_ENDPOINT_AUTH_METHODS),
    }


def openid_provider_metadata(issuer: str, scopes: Iterable[str], signing_algorithm: str) -> dict[str, Any]:
    """OpenID Connect Discovery metadata: RFC 8414's and the two fields OIDC requires.

    ``sub`` is ``<client_id>@clients`` for every audience (``public``); no ID token is issued,
    and the algorithm listed (OIDC requires RS256 there) is the one the access tokens use.
    """
    return {
        **authorization_server_metadata(issuer, scopes),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [signing_algorithm],
    }


@dataclass(frozen=True, slots=True)
class AuthorizationRefusal:
    """An RFC 6749 section 4.1.2.1 error, answered as JSON (400) instead of a redirect."""

    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def authorization_refusal(response_type: str | None, token_endpoint: str) -> AuthorizationRefusal:
    """What ``/authorize`` answers: every request is refused, the error says why and where to go."""
    use_instead = f"this issuer grants client_credentials only: POST {token_endpoint}"
    if not response_type:
        return AuthorizationRefusal("invalid_request", f"response_type is required; {use_instead}")
    if response_type in RESPONSE_TYPES:
        return AuthorizationRefusal(
            "unauthorized_client",
            f"no client may use the authorization endpoint (none has a redirect URI); {use_instead}",
        )
    return AuthorizationRefusal(
        "unsupported_response_type", f"the only response_type listed is 'none'; {use_instead}"
    )
