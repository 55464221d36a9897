"""The issuer's tenant: APIs, machine-to-machine clients and organizations, read from local/clients.yaml.

The file is the local stand-in for Auth0's "APIs", "Machine to Machine Applications" and
"Organizations" screens: each API has an identifier (the ``audience``) and the scopes it defines;
each client has an id, a secret, the token dialect it receives and, per audience, the scopes it was
granted (Auth0's "client grant"); each organization (optional) has an id, a name and the clients
enabled for it (its "Machine-to-Machine Access"), which may then ask for tokens issued for it. The file is read with the rules' strict YAML loader
(:mod:`authorizer.yaml_source`: no anchors, no repeated keys), so every problem names its line.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authorizer.yaml_source import YamlProblem, load_yaml, located

DIALECTS = ("auth0", "rfc9068")
ORG_ID = re.compile(r"org_[A-Za-z0-9]{1,32}")
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
class Organization:
    org_id: str  # Auth0's look: org_ followed by letters and digits
    name: str
    clients: frozenset[str]  # the clients enabled for it


@dataclass(frozen=True, slots=True)
class Directory:
    apis: Mapping[str, ApiResource]
    clients: Mapping[str, Client]
    organizations: Mapping[str, Organization] = field(default_factory=dict)


def _line(node: Any, key: str | None = None) -> int | None:
    """The line of ``key`` in a mapping read by :func:`load_directory` (else of the node), if known."""
    key_lines = getattr(node, "key_lines", None) or {}
    return key_lines.get(key) or getattr(node, "line", None) or None


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, message: str) -> DirectoryError:
        return DirectoryError(located(self.source, line, message))


def _strings(value: Any, where: str, line: int | None, problems: _Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise problems.fail(line, f"{where} must be a list of non-empty strings")
    return tuple(value)


def _keys(
    mapping: Any, where: str, line: int | None, required: set[str], optional: set[str], problems: _Problems
) -> dict[str, Any]:
    if not isinstance(mapping, dict):
        raise problems.fail(line, f"{where} must be a mapping")
    for key in mapping:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise problems.fail(_line(mapping, key), f"{where}: unknown key '{key}' (allowed keys: {allowed})")
    missing = sorted(required - set(mapping))
    if missing:
        raise problems.fail(_line(mapping), f"{where}: missing keys {missing}")
    return mapping


def _items(node: Any, key: str, problems: _Problems) -> list[tuple[Any, int | None]]:
    """The items of the list under ``key`` with their lines (``[]`` when the value is empty)."""
    items = node.get(key) or []
    if not isinstance(items, list):
        raise problems.fail(_line(node, key), f"'{key}' must be a list")
    lines = getattr(items, "item_lines", None) or [None] * len(items)
    return list(zip(items, lines))


def parse_directory(document: Any, source: str) -> Directory:
    """Validate a loaded clients.yaml document; raise :class:`DirectoryError` naming the problem.

    A document read by :func:`load_directory` remembers its lines, and the message starts with
    ``file:line:``; a plain dict gives ``file:`` only.
    """
    problems = _Problems(source)
    root = _keys(document, "top level", _line(document), {"version", "apis", "clients"}, {"organizations"}, problems)
    if root["version"] != 1 or isinstance(root["version"], bool):
        raise problems.fail(_line(root, "version"), f"version must be 1 (found {root['version']!r})")
    apis: dict[str, ApiResource] = {}
    for index, (raw, line) in enumerate(_items(root, "apis", problems)):
        where = f"apis[{index}]"
        spec = _keys(raw, where, line, {"identifier", "scopes"}, {"name", "token_lifetime_seconds"}, problems)
        lifetime = spec.get("token_lifetime_seconds", DEFAULT_TOKEN_LIFETIME_SECONDS)
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 1 <= lifetime <= 2_592_000:
            raise problems.fail(
                _line(spec, "token_lifetime_seconds"), f"{where}: token_lifetime_seconds must be 1..2592000"
            )
        api = ApiResource(
            identifier=str(spec["identifier"]),
            name=str(spec.get("name", spec["identifier"])),
            scopes=_strings(spec["scopes"], f"{where}.scopes", _line(spec, "scopes"), problems),
            token_lifetime_seconds=lifetime,
        )
        if api.identifier in apis:
            raise problems.fail(
                _line(spec, "identifier"), f"{where}: identifier {api.identifier!r} is repeated"
            )
        apis[api.identifier] = api
    clients: dict[str, Client] = {}
    for index, (raw, line) in enumerate(_items(root, "clients", problems)):
        where = f"clients[{index}]"
        spec = _keys(
            raw,
            where,
            line,
            {"client_id", "client_secret", "grants"},
            {"name", "token_dialect", "add_permissions"},
            problems,
        )
        dialect = spec.get("token_dialect", "auth0")
        if dialect not in DIALECTS:
            raise problems.fail(
                _line(spec, "token_dialect"), f"{where}: token_dialect must be one of {', '.join(DIALECTS)}"
            )
        raw_grants = spec["grants"] or {}
        if not isinstance(raw_grants, dict):
            raise problems.fail(_line(spec, "grants"), f"{where}: grants must be a mapping of audience to scopes")
        grants: dict[str, tuple[str, ...]] = {}
        for audience, scopes in raw_grants.items():
            grant_line = _line(raw_grants, audience)
            api = apis.get(audience)
            if api is None:
                raise problems.fail(grant_line, f"{where}: grant for unknown API {audience!r}")
            granted = _strings(scopes, f"{where}.grants[{audience!r}]", grant_line, problems)
            undefined = sorted(set(granted) - set(api.scopes))
            if undefined:
                raise problems.fail(grant_line, f"{where}: {audience!r} defines no scopes {undefined}")
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
            raise problems.fail(
                _line(spec, "client_id"), f"{where}: client_id {client.client_id!r} is repeated"
            )
        clients[client.client_id] = client
    return Directory(apis=apis, clients=clients, organizations=_organizations(root, clients, problems))


def _organizations(root: Any, clients: Mapping[str, Client], problems: _Problems) -> dict[str, Organization]:
    organizations: dict[str, Organization] = {}
    names: set[str] = set()
    for index, (raw, line) in enumerate(_items(root, "organizations", problems)):
        where = f"organizations[{index}]"
        spec = _keys(raw, where, line, {"id", "name", "clients"}, set(), problems)
        org_id, name = spec["id"], spec["name"]
        if not isinstance(org_id, str) or not ORG_ID.fullmatch(org_id):
            raise problems.fail(_line(spec, "id"), f"{where}: id must look like Auth0's, org_ then letters and digits")
        if not isinstance(name, str) or not name:
            raise problems.fail(_line(spec, "name"), f"{where}: name must be a non-empty string")
        if org_id in organizations or name in names:
            raise problems.fail(_line(spec, "id"), f"{where}: id {org_id!r} or name {name!r} is repeated")
        enabled = _strings(spec["clients"], f"{where}.clients", _line(spec, "clients"), problems)
        unknown = sorted(set(enabled) - set(clients))
        if unknown:
            raise problems.fail(_line(spec, "clients"), f"{where}: no client has id {unknown[0]!r}")
        organizations[org_id] = Organization(org_id, name, frozenset(enabled))
        names.add(name)
    return organizations


def load_directory(path: Path) -> Directory:
    """Read and validate clients.yaml; a :class:`DirectoryError` starts with ``file:line:``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DirectoryError(f"{path}: cannot read ({error})") from None
    try:
        document = load_yaml(text)
    except YamlProblem as problem:
        raise DirectoryError(located(str(path), problem.line, str(problem))) from None
    return parse_directory(document, str(path))
