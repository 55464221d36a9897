"""The local issuer over HTTP: Auth0's wire format, its errors, its key rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata

from local.issuer.directory import Directory, load_directory, parse_directory
from local.issuer.keyring import KeyRing
from local.issuer.runner import IssuerServer
from local.issuer.server import create_issuer_app
from local.stack import REPO_ROOT
from tests.support.issuer_client import LOCAL_API, request_token, token_for
from tests.support.local_stack import http

NOW = 1_800_000_000


class Issuer:
    def __init__(self, directory: Directory | None = None) -> None:
        self.keys = KeyRing.generate()
        directory = directory or load_directory(REPO_ROOT / "local" / "clients.yaml")
        self.server = IssuerServer(lambda url: create_issuer_app(directory, self.keys, url, clock=lambda: NOW))
        self.url = self.server.url

    def jwks(self) -> dict[str, Any]:
        return http("GET", self.url + ".well-known/jwks.json").json()

    def verify(self, token: str) -> dict[str, Any]:
        """Verify as a resource server would, against the JWKS the issuer publishes now."""
        kid = jwt.get_unverified_header(token)["kid"]
        found = [k for k in self.jwks()["keys"] if k["kid"] == kid]
        if not found:
            raise LookupError(f"kid {kid} is not published")
        key = jwt.PyJWK(found[0])
        return jwt.decode(
            token, key.key, algorithms=["RS256"], audience=LOCAL_API, issuer=self.url,
            options={"verify_exp": False, "verify_iat": False},
        )


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    running.server.start()
    try:
        yield running
    finally:
        running.server.stop()


@pytest.mark.parametrize("how", ["form", "json", "basic"])
def test_token_in_auth0_default_dialect(issuer: Issuer, how: str) -> None:
    answer = request_token(issuer.url, "demo-reader", how=how)
    assert answer.status == 200
    body = answer.json()
    token = body.pop("access_token")
    assert body == {"scope": "read:hello", "expires_in": 3600, "token_type": "Bearer"}
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": issuer.keys.signing_kid}
    assert issuer.verify(token) == {
        "iss": issuer.url,
        "sub": "demo-reader@clients",
        "aud": LOCAL_API,
        "iat": NOW,
        "exp": NOW + 3600,
        "scope": "read:hello",
        "azp": "demo-reader",
        "gty": "client-credentials",
    }


def test_token_in_rfc9068_dialect_with_permissions_and_a_scope_subset(issuer: Issuer) -> None:
    token = token_for(issuer.url, "demo-rfc9068", scope="write:hello")
    claims = issuer.verify(token)
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    jti = claims.pop("jti")
    assert isinstance(jti, str) and len(jti) >= 16
    assert claims == {
        "iss": issuer.url,
        "sub": "demo-rfc9068@clients",
        "aud": LOCAL_API,
        "iat": NOW,
        "exp": NOW + 3600,
        "scope": "write:hello",
        "client_id": "demo-rfc9068",
        "permissions": ["write:hello"],
    }


def test_no_scope_requested_gets_every_granted_scope(issuer: Issuer) -> None:
    claims = issuer.verify(token_for(issuer.url, "demo-rfc9068"))
    assert (claims["scope"], claims["permissions"]) == ("read:hello write:hello", ["read:hello", "write:hello"])


@pytest.mark.parametrize(
    ("client_id", "secret", "audience", "scope", "status", "body"),
    [
        ("demo-reader", "wrong", LOCAL_API, None, 401, {"error": "access_denied", "error_description": "Unauthorized"}),
        ("nobody", "x", LOCAL_API, None, 401, {"error": "access_denied", "error_description": "Unauthorized"}),
        (
            "demo-reader", None, "https://unknown.example", None, 403,
            {"error": "access_denied", "error_description": "Service not enabled within domain: https://unknown.example"},
        ),
        (
            "demo-reader", None, None, None, 403,
            {
                "error": "access_denied",
                "error_description": "No audience parameter was provided, and no default audience has been configured",
            },
        ),
        (
            "demo-reader", None, LOCAL_API, "read:hello write:hello", 403,
            {"error": "access_denied", "error_description": "Client has not been granted scopes: write:hello"},
        ),
    ],
    ids=["wrong-secret", "unknown-client", "unknown-audience", "no-audience", "scope-not-granted"],
)
def test_refusals_in_auth0_words(
    issuer: Issuer, client_id: str, secret: str | None, audience: str | None, scope: str | None,
    status: int, body: dict[str, str],
) -> None:
    answer = request_token(issuer.url, client_id, secret, audience=audience, scope=scope)
    assert (answer.status, answer.json()) == (status, body)


def test_unsupported_grant_type(issuer: Issuer) -> None:
    answer = http(
        "POST", issuer.url + "oauth/token", {"Content-Type": "application/json"},
        json.dumps({"grant_type": "password", "client_id": "demo-reader"}).encode(),
    )
    assert (answer.status, answer.json()) == (
        400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type: password"}
    )


SCOPES = ["admin", "read:hello", "read:orders", "refund:orders", "write:hello", "write:orders"]


def test_rfc8414_metadata_validates_with_authlib_and_says_client_credentials_only(issuer: Issuer) -> None:
    # GIVEN the issuer's RFC 8414 document, at the well-known path its issuer identifier gives
    answer = http("GET", issuer.url + ".well-known/oauth-authorization-server")
    # THEN Authlib's own RFC 8414 model accepts it, and it describes this server and no more
    assert answer.status == 200
    AuthorizationServerMetadata(answer.json()).validate()
    assert answer.json() == {
        "issuer": issuer.url,
        "authorization_endpoint": issuer.url + "authorize",
        "token_endpoint": issuer.url + "oauth/token",
        "jwks_uri": issuer.url + ".well-known/jwks.json",
        "scopes_supported": SCOPES,
        "response_types_supported": ["none"],
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }


def test_openid_configuration_validates_with_authlib(issuer: Issuer) -> None:
    answer = http("GET", issuer.url + ".well-known/openid-configuration")
    assert answer.status == 200
    OpenIDProviderMetadata(answer.json()).validate()
    oauth = http("GET", issuer.url + ".well-known/oauth-authorization-server").json()
    assert answer.json() == {
        **oauth,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }


def test_the_documents_endpoints_answer_as_they_say(issuer: Issuer) -> None:
    document = http("GET", issuer.url + ".well-known/openid-configuration").json()
    # the token endpoint issues a token that verifies against jwks_uri
    token = token_for(issuer.url, "demo-reader")
    key = jwt.PyJWKClient(document["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=LOCAL_API, issuer=document["issuer"],
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["sub"] == "demo-reader@clients"
    assert request_token(document["token_endpoint"].removesuffix("oauth/token"), "demo-reader").status == 200


@pytest.mark.parametrize(
    ("method", "query", "error"),
    [
        ("GET", "?response_type=code&client_id=demo-reader&redirect_uri=https://attacker.example/cb",
         "unsupported_response_type"),
        ("GET", "?response_type=none&client_id=demo-reader", "unauthorized_client"),
        ("GET", "", "invalid_request"),
        ("POST", "?response_type=token", "unsupported_response_type"),
    ],
)
def test_the_authorization_endpoint_refuses_with_an_oauth_error_and_never_redirects(
    issuer: Issuer, method: str, query: str, error: str
) -> None:
    answer = http(method, issuer.url + "authorize" + query)
    assert (answer.status, answer.json()["error"]) == (400, error)
    assert answer.json()["error_description"].endswith(
        f"this issuer grants client_credentials only: POST {issuer.url}oauth/token"
    )
    assert "Location" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"


def test_rotation_publish_switch_retire(issuer: Issuer) -> None:
    old_kid = issuer.keys.signing_kid
    old_token = token_for(issuer.url, "demo-reader")
    # publish the next key: both in the JWKS, still signing with the old one
    new_kid = issuer.keys.publish_next()
    assert [k["kid"] for k in issuer.jwks()["keys"]] == [old_kid, new_kid]
    assert jwt.get_unverified_header(token_for(issuer.url, "demo-reader"))["kid"] == old_kid
    # switch: new tokens carry the new kid, old tokens keep verifying while the old key is published
    issuer.keys.activate_next()
    new_token = token_for(issuer.url, "demo-reader")
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    assert issuer.verify(old_token)["azp"] == issuer.verify(new_token)["azp"] == "demo-reader"
    # retire the old key: old tokens no longer verify, new ones do
    issuer.keys.retire(old_kid)
    assert [k["kid"] for k in issuer.jwks()["keys"]] == [new_kid]
    with pytest.raises(LookupError):
        issuer.verify(old_token)
    assert issuer.verify(new_token)["sub"] == "demo-reader@clients"
    assert all("d" not in key for key in issuer.jwks()["keys"])  # never a private part


def test_known_api_without_a_client_grant_is_refused() -> None:
    # GIVEN a tenant with a second API that demo-reader has no client grant for
    directory = parse_directory(
        {
            "version": 1,
            "apis": [{"identifier": LOCAL_API, "scopes": ["read:hello"]}, {"identifier": "https://other.api", "scopes": ["x"]}],
            "clients": [{"client_id": "demo-reader", "client_secret": "demo-reader-secret", "grants": {LOCAL_API: ["read:hello"]}}],
        },
        "test",
    )
    running = Issuer(directory)
    running.server.start()
    try:
        answer = request_token(running.url, "demo-reader", audience="https://other.api")
    finally:
        running.server.stop()
    assert (answer.status, answer.json()) == (
        403,
        {
            "error": "access_denied",
            "error_description": 'Client "demo-reader" is not authorized to access resource server '
            '"https://other.api". You need to create a "client-grant" associated to this API.',
        },
    )


def test_a_client_enabled_for_an_organization_gets_a_token_issued_for_it(issuer: Issuer) -> None:
    # GIVEN partner-acme, enabled for org_acme in local/clients.yaml
    token = token_for(issuer.url, "partner-acme", organization="org_acme")
    claims = issuer.verify(token)
    # THEN the token carries the organization (jwt-auth0.md 3.2), and without the parameter it does not
    assert (claims["org_id"], claims["org_name"], claims["azp"]) == ("org_acme", "acme", "partner-acme")
    assert "org_id" not in issuer.verify(token_for(issuer.url, "partner-acme"))


def test_an_organization_the_client_is_not_enabled_for_or_that_does_not_exist_is_refused(issuer: Issuer) -> None:
    not_enabled = request_token(issuer.url, "orders-reader", organization="org_acme")
    unknown = request_token(issuer.url, "partner-acme", organization="org_nope")
    # (Auth0's own answers here are UNVERIFIED: these are in its shape, 403 access_denied)
    assert (not_enabled.status, not_enabled.json()) == (403, {
        "error": "access_denied",
        "error_description": "Client 'orders-reader' is not enabled for organization 'org_acme' (UNVERIFIED answer)",
    })
    assert (unknown.status, unknown.json()["error_description"]) == (
        403, "Organization 'org_nope' does not exist (UNVERIFIED answer)",
    )
