"""The scopes each route of a service re-checks, declared in the service's ``scopes.toml``.

Pure but for :func:`load_declared_scopes`, which reads the one file. The service reads it when it
loads (:func:`scopegate_context.require_declared_scopes`), and ``python -m scopegate_tools check``
reads it with this same module and fails unless every route's declaration means what
``policies/rules.yaml`` requires there: the one place a service states its re-checks is also
the one the rules tools compare, so the two cannot drift apart unnoticed.

Format, version 1 (``services/<name>/scopes.toml``, beside the handler)::

    version = 1

    [routes]  # every route of the function in template.yaml, written as there: "METHOD /path"
    "GET /orders" = { any_scopes = ["read:orders", "admin"] }     # at least one of these
    "POST /orders" = { scopes = ["write:orders"] }                # every one of these
    "DELETE /orders/{id}" = [                                     # a list: each must hold
        { any_scopes = ["read:orders", "admin"] },
        { any_scopes = ["write:orders", "admin"] },
    ]
    "GET /status" = { authenticated = true }                      # any caller with a principal
    "GET /hello" = { gateway_only = true }                        # no re-check: the rules alone

``scopes`` and ``any_scopes`` mean what they mean in a rule (both in one table: both hold), so a
route's declaration reads like the rules that match it. Every mistake is a
:class:`ScopesFileError` naming the file, the route and the fix.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scopegate_context.requirement import ScopeRequirement

SCOPES_FILE = "scopes.toml"
FORMAT_VERSION = 1
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
TOP_LEVEL_KEYS = ("version", "routes")
ENTRY_KEYS = ("scopes", "any_scopes", "authenticated", "gateway_only")
EXAMPLE = '"GET /orders" = { any_scopes = ["read:orders", "admin"] }'


class ScopesFileError(ValueError):
    """A scopes.toml that cannot be used; the message names the file, the route and the fix."""

    reason = "scopes_file_invalid"


@dataclass(frozen=True, slots=True)
class RouteScopes:
    """What one route re-checks: every requirement holds, or (``gateway_only``) nothing at all."""

    method: str  # a verb, or ANY
    path: str  # the template's path, e.g. /orders/{id}
    requirements: tuple[ScopeRequirement, ...]  # () with gateway_only False: any principal
    gateway_only: bool = False

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def satisfied_by(self, granted: frozenset[str]) -> bool:
        return self.gateway_only or all(r.satisfied_by(granted) for r in self.requirements)

    def describe(self) -> str:
        """In words: ``(read:orders OR admin) AND refund:orders AND admin``."""
        if self.gateway_only:
            return "nothing (gateway only)"
        if not self.requirements:
            return "any principal"
        parts = [r.describe() for r in self.requirements]
        if len(parts) == 1:
            return parts[0]
        return " AND ".join(
            f"({text})" if r.match == "any" and len(r.scopes) > 1 else text
            for r, text in zip(self.requirements, parts)
        )


@dataclass(frozen=True, slots=True)
class DeclaredScopes:
    """The routes of one service and what each re-checks."""

    source: str
    routes: Mapping[str, RouteScopes]  # by "METHOD /path"

    def for_request(self, method: str, resource: str) -> RouteScopes | None:
        """The declaration of the route API Gateway reached (an ``ANY`` route takes every verb)."""
        return self.routes.get(f"{method} {resource}") or self.routes.get(f"ANY {resource}")


def _fail(source: str, message: str) -> ScopesFileError:
    return ScopesFileError(f"{source}: {message}")


def _suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"


def _route_key(key: str, source: str) -> tuple[str, str]:
    method, _, path = key.partition(" ")
    if method.upper() in METHODS and method != method.upper():
        raise _fail(source, f"route '{key}': write the method in capitals, '{method.upper()} {path}'")
    if method not in METHODS or not path.startswith("/") or " " in path or "//" in path:
        raise _fail(
            source,
            f"route '{key}' is not 'METHOD /path' with METHOD one of {', '.join(METHODS)} "
            f"and the path as template.yaml writes it, e.g. {EXAMPLE}",
        )
    if len(path) > 1 and path.endswith("/"):
        raise _fail(source, f"route '{key}': drop the trailing '/', as template.yaml writes paths")
    return method, path


def _scope_list(entry: Mapping[str, Any], key: str, where: str, source: str) -> tuple[str, ...]:
    raw = entry[key]
    if isinstance(raw, str):
        raise _fail(source, f"{where}: '{key}' must be a list, e.g. {key} = [\"{raw}\"]")
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) for item in raw):
        raise _fail(source, f"{where}: '{key}' must be a non-empty list of scope names")
    if len(set(raw)) != len(raw):
        raise _fail(source, f"{where}: '{key}' lists a scope twice; list it once")
    return tuple(raw)


def _flag(entry: Mapping[str, Any], key: str, where: str, source: str) -> None:
    if entry[key] is not True:
        raise _fail(source, f"{where}: '{key}' can only be true; remove the route's other keys instead")
    if len(entry) != 1:
        others = ", ".join(sorted(k for k in entry if k != key))
        raise _fail(source, f"{where}: '{key} = true' stands alone; remove {others}")


def _entry(entry: Any, where: str, source: str, *, in_list: bool) -> tuple[tuple[ScopeRequirement, ...], bool]:
    if not isinstance(entry, dict):
        raise _fail(source, f"{where}: must be a table or a list of tables, e.g. {EXAMPLE}")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise _fail(source, f"{where}: unknown key '{key}'{_suggest(key, ENTRY_KEYS)}")
    if not entry:
        raise _fail(
            source,
            f"{where}: says nothing; give scopes, any_scopes, authenticated = true or gateway_only = true",
        )
    for flag in ("authenticated", "gateway_only"):
        if flag in entry:
            if in_list:
                raise _fail(source, f"{where}: '{flag}' cannot be one of a list; write the route = {{ {flag} = true }}")
            _flag(entry, flag, where, source)
            return (), flag == "gateway_only"
    requirements = []
    for key, match in (("scopes", "all"), ("any_scopes", "any")):
        if key in entry:
            scopes = _scope_list(entry, key, where, source)
            try:
                requirements.append(ScopeRequirement(scopes, match))  # type: ignore[arg-type]
            except ValueError as error:
                raise _fail(source, f"{where}: '{key}': {error}") from None
    return tuple(requirements), False


def _route_scopes(key: str, value: Any, source: str) -> RouteScopes:
    method, path = _route_key(key, source)
    where = f"route '{key}'"
    if isinstance(value, list):
        if not value:
            raise _fail(source, f"{where}: an empty list re-checks nothing; write {{ gateway_only = true }} if that is meant")
        requirements: list[ScopeRequirement] = []
        for position, entry in enumerate(value, 1):
            found, _ = _entry(entry, f"{where}, table {position}", source, in_list=True)
            requirements.extend(found)
        return RouteScopes(method, path, tuple(requirements))
    found, gateway_only = _entry(value, where, source, in_list=False)
    return RouteScopes(method, path, found, gateway_only)


def parse_declared_scopes(text: str, source: str) -> DeclaredScopes:
    """A scopes.toml's text -> :class:`DeclaredScopes` (``source`` names it in errors)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(source, f"not valid TOML ({error})") from None
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise _fail(source, f"unknown top-level key '{key}'{_suggest(key, TOP_LEVEL_KEYS)}")
    if document.get("version") != FORMAT_VERSION:
        raise _fail(source, f"'version' must be {FORMAT_VERSION}; add the line 'version = {FORMAT_VERSION}' at the top")
    routes = document.get("routes")
    if not isinstance(routes, dict) or not routes:
        raise _fail(source, f"no [routes] table; add one with a line per route, e.g. {EXAMPLE}")
    declared = {key: _route_scopes(key, value, source) for key, value in routes.items()}
    return DeclaredScopes(source, declared)


def load_declared_scopes(folder: str | Path) -> DeclaredScopes:
    """The declarations in ``<folder>/scopes.toml`` (a service passes its own folder).

    Raises
    ------
    ScopesFileError
        The file is missing, not UTF-8 or not valid (see :func:`parse_declared_scopes`).
    """
    path = Path(folder) / SCOPES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(str(path), f"not found; a service that re-checks scopes declares them here ({EXAMPLE})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(str(path), f"cannot be read ({error.__class__.__name__})") from None
    return parse_declared_scopes(text, str(path))
