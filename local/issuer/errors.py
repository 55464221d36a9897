"""Auth0's answers to a failed ``POST /oauth/token``, as Authlib errors.

Each status and body below is what Auth0 is reported to send (field reports of real tenants,
quoted in README.md "Local issuer"); Authlib's own errors are translated to them in
:func:`auth0_error_for`.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)

GRANT_TYPES_DOC = "https://auth0.com/docs/clients/client-grant-types"


class Auth0Error(OAuth2Error):
    """An error with Auth0's status code and body."""

    def __init__(self, status_code: int, error: str, description: str, uri: str | None = None):
        super().__init__(uri=uri, status_code=status_code)
        self.error = error
        # set after init: Authlib refuses '"' (RFC 6749's charset) and Auth0's texts quote names
        self.description = description

    def get_body(self) -> list[tuple[str, str]]:
        body = [("error", self.error), ("error_description", self.description)]
        if self.uri:
            body.append(("error_uri", self.uri))
        return body


def bad_credentials() -> Auth0Error:
    """Unknown client, wrong secret or no credentials: Auth0 does not say which."""
    return Auth0Error(401, "access_denied", "Unauthorized")


def missing_audience() -> Auth0Error:
    return Auth0Error(
        403,
        "access_denied",
        "No audience parameter was provided, and no default audience has been configured",
    )


def unknown_audience(audience: str) -> Auth0Error:
    return Auth0Error(403, "access_denied", f"Service not enabled within domain: {audience}")


def no_client_grant(client_id: str, audience: str) -> Auth0Error:
    return Auth0Error(
        403,
        "access_denied",
        f'Client "{client_id}" is not authorized to access resource server "{audience}". '
        'You need to create a "client-grant" associated to this API.',
    )


def scopes_not_granted(scopes: list[str]) -> Auth0Error:
    return Auth0Error(
        403, "access_denied", f"Client has not been granted scopes: {' '.join(scopes)}"
    )


# Organizations (client credentials with `organization`): jwt-auth0.md §3.1-3.2 settle that the
# parameter exists and yields org_id; how Auth0 refuses an unknown organization, or a client not
# enabled for it, is UNVERIFIED. These answers are in Auth0's shape (403 access_denied, as for a
# missing client grant), with texts of our own.


def unknown_organization(organization: str) -> Auth0Error:
    return Auth0Error(403, "access_denied", f"Organization {organization!r} does not exist (UNVERIFIED answer)")


def client_not_in_organization(client_id: str, organization: str) -> Auth0Error:
    return Auth0Error(
        403, "access_denied",
        f"Client {client_id!r} is not enabled for organization {organization!r} (UNVERIFIED answer)",
    )


def auth0_error_for(error: OAuth2Error, grant_type: str | None) -> OAuth2Error:
    """Authlib's error for a failed request, in Auth0's words."""
    if isinstance(error, Auth0Error):
        return error
    if isinstance(error, InvalidClientError):
        return bad_credentials()
    if isinstance(error, UnauthorizedClientError):
        return Auth0Error(
            403,
            "unauthorized_client",
            f"Grant type '{grant_type}' not allowed for the client.",
            GRANT_TYPES_DOC,
        )
    if isinstance(error, UnsupportedGrantTypeError):
        return Auth0Error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    return Auth0Error(error.status_code or 400, error.error or "invalid_request", error.description or "")
