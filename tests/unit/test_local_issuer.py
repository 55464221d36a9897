"""local.issuer: the tenant file, the token claims per dialect, the key ring, the discovery answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.issuer.claims import TokenRequest, token_claims, token_header
from local.issuer.directory import Client, DirectoryError, Organization, load_directory, parse_directory
from local.issuer.discovery import authorization_refusal
from local.issuer.keyring import KeyRing, KeyRingError

REPO = Path(__file__).resolve().parents[2]


def _client(dialect: str = "auth0", permissions: bool = False) -> Client:
    return Client("c1", "s", "C1", dialect, permissions, {"https://api": ("read:x",)})


def test_shipped_clients_file_has_the_demo_and_the_orders_clients() -> None:
    directory = load_directory(REPO / "local" / "clients.yaml")
    grants = {c.client_id: c.grants["https://api.scopegate.local"] for c in directory.clients.values()}
    assert grants == {
        "demo-reader": ("read:hello",),
        "demo-writer": ("write:hello",),
        "demo-rfc9068": ("read:hello", "write:hello"),
        "orders-reader": ("read:hello", "read:orders"),
        "orders-writer": ("read:hello", "read:orders", "write:orders"),
        "orders-admin": ("admin", "refund:orders"),
        "partner-acme": ("read:hello", "read:orders", "write:orders", "refund:orders"),
    }
    assert {org.org_id: (org.name, org.clients) for org in directory.organizations.values()} == {
        "org_acme": ("acme", frozenset({"partner-acme"})),
    }


def test_readme_lists_every_local_client_with_its_secret_and_scopes() -> None:
    # GIVEN the shipped tenant and README's table of demo clients
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    directory = load_directory(REPO / "local" / "clients.yaml")
    # THEN every client has its row: id / secret, then its scopes on the example API
    for client in directory.clients.values():
        scopes = " ".join(client.grants["https://api.scopegate.local"])
        assert f"| `{client.client_id}` / `{client.client_secret}` | `{scopes}` |" in readme, client.client_id


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 2, "apis": [], "clients": []}, "version must be 1"),
        ({"version": 1, "apis": [], "clients": [], "extra": 1}, "unknown key 'extra'"),
        (
            {"version": 1, "apis": [{"identifier": "a", "scopes": ["x"]}],
             "clients": [{"client_id": "c", "client_secret": "s", "grants": {"a": ["y"]}}]},
            "defines no scopes",
        ),
        (
            {"version": 1, "apis": [], "clients": [{"client_id": "c", "client_secret": "s", "grants": {"b": ["y"]}}]},
            "grant for unknown API",
        ),
        (
            {"version": 1, "apis": [],
             "clients": [{"client_id": "c", "client_secret": "s", "grants": {}, "token_dialect": "jwt"}]},
            "token_dialect must be one of",
        ),
        (
            {"version": 1, "apis": [], "clients": [], "organizations": [{"id": "acme", "name": "a", "clients": []}]},
            "id must look like Auth0's, org_ then letters and digits",
        ),
        (
            {"version": 1, "apis": [], "clients": [],
             "organizations": [{"id": "org_a", "name": "a", "clients": ["nobody"]}]},
            "no client has id 'nobody'",
        ),
        (
            {"version": 1, "apis": [], "clients": [], "organizations": [
                {"id": "org_a", "name": "a", "clients": []}, {"id": "org_b", "name": "a", "clients": []}]},
            "is repeated",
        ),
    ],
)
def test_parse_directory_refuses_mistakes(document: Any, message: str) -> None:
    with pytest.raises(DirectoryError, match=message):
        parse_directory(document, "clients.yaml")


def test_auth0_dialect_claims_and_header() -> None:
    request = TokenRequest(_client(), "https://api", ("read:x",), 60)
    assert token_header(request, "k1", "RS256") == {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    assert token_claims(request, "https://iss/", 100, "j") == {
        "iss": "https://iss/", "sub": "c1@clients", "aud": "https://api", "iat": 100, "exp": 160,
        "scope": "read:x", "azp": "c1", "gty": "client-credentials",
    }


def test_rfc9068_dialect_with_permissions() -> None:
    request = TokenRequest(_client("rfc9068", True), "https://api", ("read:x",), 60)
    assert token_header(request, "k1", "RS256")["typ"] == "at+jwt"
    assert token_claims(request, "https://iss/", 100, "j") == {
        "iss": "https://iss/", "sub": "c1@clients", "aud": "https://api", "iat": 100, "exp": 160,
        "scope": "read:x", "client_id": "c1", "jti": "j", "permissions": ["read:x"],
    }


def test_a_token_issued_for_an_organization_carries_org_id_and_org_name() -> None:
    request = TokenRequest(_client(), "https://api", ("read:x",), 60, Organization("org_acme", "acme", frozenset({"c1"})))
    claims = token_claims(request, "https://iss/", 100, "j")
    assert (claims["org_id"], claims["org_name"]) == ("org_acme", "acme")


def test_key_ring_refuses_to_retire_the_signing_or_the_next_key() -> None:
    ring = KeyRing.generate()
    with pytest.raises(KeyRingError, match="signing key cannot be retired"):
        ring.retire(ring.signing_kid)
    next_kid = ring.publish_next()
    assert ring.publish_next() == next_kid  # idempotent until activated
    with pytest.raises(KeyRingError, match="has not signed anything"):
        ring.retire(next_kid)
    with pytest.raises(KeyRingError, match="no published key"):
        ring.retire("unknown")


SHIPPED_CLIENTS = (REPO / "local" / "clients.yaml").read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("token_dialect: rfc9068", "token_dialect: jwt", "clients[2]: token_dialect must be one of auth0, rfc9068"),
        ("  - client_id: demo-writer", "  - client_idd: demo-writer",
         "clients[1]: unknown key 'client_idd' (allowed keys: add_permissions, client_id, client_secret, grants, "
         "name, token_dialect)"),
        ("https://api.scopegate.local: [write:hello]", "https://api.scopegate.local: [write:helo]",
         "clients[1]: 'https://api.scopegate.local' defines no scopes ['write:helo']"),
        ("version: 1", "version: 2", "version must be 1 (found 2)"),
        ("    name: Demo client granted read:hello", "    name: Demo client granted read:hello\n    name: again",
         "key 'name' appears twice in one mapping (first on line 19); keep one"),
    ],
    ids=["dialect", "unknown-key", "undefined-scope", "version", "repeated-key"],
)
def test_load_directory_names_the_file_and_the_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    # GIVEN the shipped clients.yaml with one mistake
    path = tmp_path / "clients.yaml"
    text = SHIPPED_CLIENTS.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, new.split("\n")[-1])
    # WHEN it is loaded THEN the message starts with file:line of the mistake
    with pytest.raises(DirectoryError) as refused:
        load_directory(path)
    assert str(refused.value).startswith(f"{path}:{line}: {message}")


def test_load_directory_refuses_yaml_anchors_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text("version: 1\napis: &a []\nclients: *a\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=rf"^{path}:2: anchors and aliases"):
        load_directory(path)


@pytest.mark.parametrize(
    ("response_type", "error"),
    [(None, "invalid_request"), ("", "invalid_request"), ("none", "unauthorized_client"),
     ("code", "unsupported_response_type"), ("token id_token", "unsupported_response_type")],
)
def test_the_authorization_endpoint_refuses_every_request(response_type: str | None, error: str) -> None:
    refusal = authorization_refusal(response_type, "http://127.0.0.1:3001/oauth/token")
    assert refusal.error == error
    assert refusal.description.endswith(
        "this issuer grants client_credentials only: POST http://127.0.0.1:3001/oauth/token"
    )
    assert refusal.body() == {"error": error, "error_description": refusal.description}
