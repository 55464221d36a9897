"""The issuer's tenant: APIs and machine-to-machine clients, read from local/clients.yaml (pure).

The file is the local stand-in for Auth0's "APIs" and "Machine to Machine Applications"
screens: each API has an identifier (the ``audience``) and the scopes it defines; each client
has an id, a secret, the token dialect it receives and, per audience, the scopes it was granted
(Auth0's "client grant").
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DIALECTS = ("auth0", "rfc9068")
DEFAULT_TOKEN_LIFETIME_SECONDS = 86400  # Auth0's default for a custom API


class DirectoryError(ValueError):
    """clients.yaml is not a valid tenant description; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class ApiResource:
    identifier: str
    name: str
    scopes: tuple[str, ...]
    token_lifetime_seconds: int


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    client_secret: str
    name: str
    token_dialect: str  # "auth0" (typ JWT, azp, gty) or "rfc9068" (typ at+jwt, client_id, jti)
    add_permissions: bool  # Auth0's RBAC "Add Permissions in the Access Token"
    grants: Mapping[str, tuple[str, ...]]  # audience -> granted scopes

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), secret.encode())


@dataclass(frozen=True, slots=True)
class Directory:
    apis: Mapping[str, ApiResource]
    clients: Mapping[str, Client]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DirectoryError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def _keys(mapping: Any, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(mapping, dict):
        raise DirectoryError(f"{where} must be a mapping")
    unknown = sorted(set(mapping) - required - optional)
    missing = sorted(required - set(mapping))
    if unknown or missing:
        raise DirectoryError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    return mapping


def parse_directory(document: Any, source: str) -> Directory:
    """Validate a loaded clients.yaml document; raise :class:`DirectoryError` naming the problem."""
    root = _keys(document, source, {"version", "apis", "clients"}, set())
    if root["version"] != 1:
        raise DirectoryError(f"{source}: version must be 1")
    apis: dict[str, ApiResource] = {}
    for index, raw in enumerate(root["apis"] or []):
        where = f"{source}: apis[{index}]"
        spec = _keys(raw, where, {"identifier", "scopes"}, {"name", "token_lifetime_seconds"})
        lifetime = spec.get("token_lifetime_seconds", DEFAULT_TOKEN_LIFETIME_SECONDS)
        if not isinstance(lifetime, int) or not 1 <= lifetime <= 2_592_000:
            raise DirectoryError(f"{where}: token_lifetime_seconds must be 1..2592000")
        api = ApiResource(
            identifier=str(spec["identifier"]),
            name=str(spec.get("name", spec["identifier"])),
            scopes=_strings(spec["scopes"], f"{where}.scopes"),
            token_lifetime_seconds=lifetime,
        )
        if api.identifier in apis:
            raise DirectoryError(f"{where}: identifier {api.identifier!r} is repeated")
        apis[api.identifier] = api
    clients: dict[str, Client] = {}
    for index, raw in enumerate(root["clients"] or []):
        where = f"{source}: clients[{index}]"
        spec = _keys(
            raw,
            where,
            {"client_id", "client_secret", "grants"},
            {"name", "token_dialect", "add_permissions"},
        )
        dialect = spec.get("token_dialect", "auth0")
        if dialect not in DIALECTS:
            raise DirectoryError(f"{where}: token_dialect must be one of {', '.join(DIALECTS)}")
        grants: dict[str, tuple[str, ...]] = {}
        for audience, scopes in (spec["grants"] or {}).items():
            api = apis.get(audience)
            if api is None:
                raise DirectoryError(f"{where}: grant for unknown API {audience!r}")
            granted = _strings(scopes, f"{where}.grants[{audience!r}]")
            undefined = sorted(set(granted) - set(api.scopes))
            if undefined:
                raise DirectoryError(f"{where}: {audience!r} defines no scopes {undefined}")
            grants[audience] = granted
        client = Client(
            client_id=str(spec["client_id"]),
            client_secret=str(spec["client_secret"]),
            name=str(spec.get("name", spec["client_id"])),
            token_dialect=dialect,
            add_permissions=bool(spec.get("add_permissions", False)),
            grants=grants,
        )
        if client.client_id in clients:
            raise DirectoryError(f"{where}: client_id {client.client_id!r} is repeated")
        clients[client.client_id] = client
    return Directory(apis=apis, clients=clients)


def load_directory(path: Path) -> Directory:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"{path}: cannot read ({error})") from None
    return parse_directory(document, str(path))
