"""The issuer's HTTP face: Flask + Authlib's AuthorizationServer with the client-credentials grant.

Authlib authenticates the client (``client_secret_post`` or ``client_secret_basic``) and checks
the grant type; :class:`Auth0ClientCredentialsGrant` adds what Auth0 checks on top (the
``audience``, the client grant for it, the requested scopes, and the ``organization`` when one is
asked for: it must exist and have the client enabled) and signs the token with joserfc in the
client's dialect. Auth0 also accepts a JSON body, which :class:`JsonBodyAsForm` turns into the
form Authlib reads.

Routes: ``POST /oauth/token``, ``GET /.well-known/jwks.json``, the metadata documents
``GET /.well-known/openid-configuration`` and ``GET /.well-known/oauth-authorization-server``, and
``/authorize``, which refuses every request (see :mod:`local.issuer.discovery`).
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.util import scope_to_list
from flask import Flask, jsonify, request
from joserfc import jwt

from local.issuer import discovery, errors
from local.issuer.claims import TokenRequest, token_claims, token_header
from local.issuer.directory import Client, Directory
from local.issuer.discovery import (
    AUTHORIZE_PATH,
    JWKS_PATH,
    OAUTH_METADATA_PATH,
    OPENID_CONFIGURATION_PATH,
    TOKEN_PATH,
    authorization_refusal,
    authorization_server_metadata,
    openid_provider_metadata,
)
from local.issuer.keyring import SIGNING_ALGORITHM, KeyRing

class RegisteredClient(ClientMixin):
    """A :class:`Client` as Authlib sees it: confidential, client-credentials only."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get_client_id(self) -> str:
        return self.client.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client.secret_matches(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in discovery.TOKEN_ENDPOINT_AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in discovery.GRANT_TYPES

    def get_allowed_scope(self, scope: str) -> str:  # the grant decides per audience
        return scope

    def get_default_redirect_uri(self) -> None:
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_response_type(self, response_type: str) -> bool:
        return False


class Auth0ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(discovery.TOKEN_ENDPOINT_AUTH_METHODS)

    def validate_token_request(self) -> None:
        super().validate_token_request()  # client authentication and grant type (Authlib)
        issuer: Auth0Issuer = self.server  # type: ignore[assignment]
        client: Client = self.request.client.client
        audience = self.request.payload.data.get("audience")
        if not audience:
            raise errors.missing_audience()
        api = issuer.directory.apis.get(audience)
        if api is None:
            raise errors.unknown_audience(audience)
        granted = client.grants.get(audience)
        if granted is None:
            raise errors.no_client_grant(client.client_id, audience)
        requested = scope_to_list(self.request.payload.scope) or []
        refused = [scope for scope in dict.fromkeys(requested) if scope not in granted]
        if refused:
            raise errors.scopes_not_granted(refused)
        scopes = tuple(dict.fromkeys(requested)) if requested else granted
        organization = None
        asked = self.request.payload.data.get("organization")
        if asked:  # the organization's id (whether Auth0 also takes its name here is UNVERIFIED)
            organization = issuer.directory.organizations.get(asked)
            if organization is None:
                raise errors.unknown_organization(asked)
            if client.client_id not in organization.clients:
                raise errors.client_not_in_organization(client.client_id, asked)
        self.request.token_request = TokenRequest(client, audience, scopes, api.token_lifetime_seconds, organization)

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        issuer: Auth0Issuer = self.server  # type: ignore[assignment]
        return 200, issuer.issue(self.request.token_request), self.TOKEN_RESPONSE_HEADER


class Auth0Issuer(AuthorizationServer):
    """Authlib's authorization server, answering as Auth0 does."""

    def __init__(
        self, app: Flask, directory: Directory, keys: KeyRing, issuer: str, clock: Callable[[], float]
    ) -> None:
        self.directory = directory
        self.keys = keys
        self.issuer = issuer
        self.clock = clock
        super().__init__(app, query_client=self._find_client, save_token=lambda token, request: None)
        self.register_grant(Auth0ClientCredentialsGrant)

    def _find_client(self, client_id: str) -> RegisteredClient | None:
        client = self.directory.clients.get(client_id)
        return RegisteredClient(client) if client else None

    def issue(self, request: TokenRequest) -> dict[str, Any]:
        key = self.keys.signing_key
        header = token_header(request, str(key.kid), SIGNING_ALGORITHM)
        claims = token_claims(request, self.issuer, int(self.clock()), secrets.token_urlsafe(16))
        token = jwt.encode(header, claims, key, algorithms=[SIGNING_ALGORITHM])
        return {
            "access_token": token,
            "scope": claims["scope"],
            "expires_in": request.lifetime_seconds,
            "token_type": "Bearer",
        }

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Any:
        grant_type = request.payload.grant_type if request is not None else None
        return super().handle_error_response(request, errors.auth0_error_for(error, grant_type))


class JsonBodyAsForm:
    """WSGI middleware: a JSON object body becomes the form body Auth0 would also accept."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == "application/json":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                document = json.loads(environ["wsgi.input"].read(length) or b"{}")
            except ValueError:
                document = None
            if not isinstance(document, dict):
                body = json.dumps({"error": "invalid_request", "error_description": "Invalid JSON body"})
                start_response("400 BAD REQUEST", [("Content-Type", "application/json")])
                return [body.encode()]
            pairs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}
            form = urlencode(pairs).encode()
            environ.update(
                {
                    "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "CONTENT_LENGTH": str(len(form)),
                    "wsgi.input": io.BytesIO(form),
                }
            )
        return self.app(environ, start_response)


def create_issuer_app(
    directory: Directory,
    keys: KeyRing,
    issuer: str,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """The issuer as a WSGI app; ``issuer`` is the exact ``iss`` (with its trailing ``/``)."""
    app = Flask("local.issuer")
    server = Auth0Issuer(app, directory, keys, issuer, clock)
    base = issuer.rstrip("/")

    @app.post(TOKEN_PATH)
    def token() -> Any:
        return server.create_token_response()

    @app.get(JWKS_PATH)
    def jwks() -> Any:
        return jsonify(keys.jwks())

    scopes = [scope for api in directory.apis.values() for scope in api.scopes]

    @app.get(OAUTH_METADATA_PATH)
    def oauth_authorization_server() -> Any:
        return jsonify(authorization_server_metadata(issuer, scopes))

    @app.get(OPENID_CONFIGURATION_PATH)
    def openid_configuration() -> Any:
        return jsonify(openid_provider_metadata(issuer, scopes, SIGNING_ALGORITHM))

    @app.route(AUTHORIZE_PATH, methods=["GET", "POST"])
    def authorize() -> Any:
        refusal = authorization_refusal(request.values.get("response_type"), base + TOKEN_PATH)
        return jsonify(refusal.body()), 400, {"Cache-Control": "no-store"}

    app.wsgi_app = JsonBodyAsForm(app.wsgi_app)  # type: ignore[method-assign]
    return app
