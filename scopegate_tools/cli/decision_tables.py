"""Decision tables beside the rules: policies/rules_test.yaml (load is pure but for reading).

Format, version 1::

    version: 1
    clients:
      - name: reporting-job            # unique
        description: nightly export    # optional
        scopes: [read:orders]          # what its tokens hold (may be empty)
        client_id: reporting-job       # optional: who its tokens name, for rules with conditions
        org_id: org_acme               # optional (absent: tokens without org_id)
        issuer: https://tenant.eu.auth0.com/   # optional
        allowed:                       # what it must be allowed (may be empty)
          - GET /orders/{id}           # a template route: every request of it
          - GET /orders/42             # or one request of a template route

Every other request of every route the authorizer guards must be denied to
that client. Cases are run with :meth:`RuleSet.decide`, the authorizer's own
decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scopegate_tools.cli.coverage import RouteView
from scopegate_tools.cli.template_routes import Request, TemplateRoute, route_of
from authorizer.caller import Caller
from authorizer.conditions import CONDITION_VALUE
from authorizer.route import HTTP_METHODS
from authorizer.rules import RouteDecision, RuleSet
from authorizer.scope import SCOPE_TOKEN
from authorizer.yaml_source import (
    LineDict,
    LineList,
    YamlProblem,
    load_versioned_list,
    located,
    suggest_key,
)

TABLES_VERSION = 1
TOP_LEVEL_KEYS = ("version", "clients", "description")
CLIENT_KEYS = ("name", "description", "scopes", "client_id", "org_id", "issuer", "allowed")
IDENTITY_KEYS = ("client_id", "org_id", "issuer")


class DecisionTableError(ValueError):
    """rules_test.yaml cannot be used; the message names file, line and fix."""


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    line: int
    scopes: frozenset[str]
    allowed_routes: frozenset[TemplateRoute]  # every request of these must be allowed
    allowed_requests: tuple[Request, ...]  # and these single requests
    entry_lines: Mapping[str, int]  # line of each entry of 'allowed'
    description: str = ""
    client_id: str | None = None
    org_id: str | None = None
    issuer: str | None = None

    @property
    def caller(self) -> Caller:
        """The caller these scopes and names stand for, as the rules see it."""
        return Caller(self.scopes, self.client_id, self.org_id, self.issuer)

    @property
    def identity(self) -> str:
        """Who its tokens name, in words (``client x, org o``); '' when it names no one."""
        return identity_text(self.client_id, self.org_id, self.issuer)

    @property
    def label(self) -> str:
        """``name``, or ``name (client x, org o)`` when its tokens name a caller."""
        return f"{self.name} ({self.identity})" if self.identity else self.name


def identity_text(client_id: str | None, org_id: str | None, issuer: str | None) -> str:
    parts = [f"{what} {value}" for what, value in (("client", client_id), ("org", org_id), ("issuer", issuer)) if value]
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Case:
    client: Client
    request: Request
    route: TemplateRoute
    expected_allowed: bool
    line: int  # the entry that asks for an Allow, else the client

    @property
    def id(self) -> str:
        return f"{self.client.name}: {self.request.text}"


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    decision: RouteDecision

    @property
    def passed(self) -> bool:
        return self.decision.allowed == self.case.expected_allowed


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, message: str) -> DecisionTableError:
        return DecisionTableError(located(self.source, line, message))


def _parse_entry(
    raw: Any,
    line: int,
    where: str,
    routes: Sequence[TemplateRoute],
    public: Sequence[TemplateRoute],
    problems: _Problems,
) -> TemplateRoute | Request:
    fields = raw.split() if isinstance(raw, str) else []
    if len(fields) != 2 or not fields[1].startswith("/"):
        raise problems.fail(line, f"{where}: {raw!r} must be 'METHOD /path', e.g. 'GET /hello'")
    method, path = fields[0].upper(), fields[1]
    for route in routes:
        if (route.method, route.path) == (method, path):
            return route
    request = Request(method, path)
    if method in HTTP_METHODS and "{" not in path:
        route = route_of(request, routes)
        if route is not None:
            return request
        if route_of(request, public) is not None:
            raise problems.fail(
                line,
                f"{where}: {raw} is a public route (Authorizer: NONE): the authorizer never "
                "sees it; remove it from the table",
            )
    known = ", ".join(route.text for route in routes) or "none"
    raise problems.fail(
        line,
        f"{where}: {raw} is not a route of the template guarded by the authorizer "
        f"(routes: {known}); fix the route or add it to template.yaml",
    )


def _scopes(raw: Any, line: int, where: str, problems: _Problems) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and SCOPE_TOKEN.fullmatch(s) for s in raw):
        raise problems.fail(
            line, f"{where}: 'scopes' must be a list of scope names, e.g. scopes: [read:hello] or []"
        )
    return frozenset(raw)


def _parse_client(
    raw: Any,
    line: int,
    routes: Sequence[TemplateRoute],
    public: Sequence[TemplateRoute],
    problems: _Problems,
) -> Client:
    if not isinstance(raw, LineDict):
        raise problems.fail(line, "each client must be a mapping with 'name', 'scopes' and 'allowed'")
    name = raw.get("name")
    where = f"client {name!r}" if isinstance(name, str) else "client"
    for key in raw:
        if key not in CLIENT_KEYS:
            raise problems.fail(
                raw.key_lines[key], f"{where}: unknown key '{key}'{suggest_key(key, CLIENT_KEYS)}"
            )
    if not isinstance(name, str) or not name.strip():
        raise problems.fail(line, f"{where}: needs a 'name' (a non-empty string)")
    for key in ("scopes", "allowed"):
        if key not in raw:
            raise problems.fail(line, f"{where}: needs '{key}' (a list, [] when empty)")
    scopes = _scopes(raw["scopes"], raw.key_lines["scopes"], where, problems)
    names: dict[str, str] = {}
    for key in IDENTITY_KEYS:
        if key in raw:
            value = raw[key]
            if not isinstance(value, str) or not CONDITION_VALUE.fullmatch(value):
                raise problems.fail(
                    raw.key_lines[key],
                    f"{where}: '{key}' must be a string without spaces (quote it if YAML reads it as a number)",
                )
            names[key] = value
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise problems.fail(raw.key_lines["description"], f"{where}: 'description' must be a string")
    entries = raw["allowed"]
    if not isinstance(entries, LineList):
        raise problems.fail(
            raw.key_lines["allowed"], f"{where}: 'allowed' must be a list of routes, [] when empty"
        )
    allowed_routes: list[TemplateRoute] = []
    allowed_requests: list[Request] = []
    seen: dict[str, int] = {}
    for entry, entry_line in zip(entries, entries.item_lines):
        parsed = _parse_entry(entry, entry_line, where, routes, public, problems)
        if parsed.text in seen:
            raise problems.fail(
                entry_line, f"{where}: {parsed.text} is listed twice (line {seen[parsed.text]}); keep one"
            )
        seen[parsed.text] = entry_line
        if isinstance(parsed, Request):
            allowed_requests.append(parsed)
        else:
            allowed_routes.append(parsed)
    return Client(
        name, line, scopes, frozenset(allowed_routes), tuple(allowed_requests), seen, description,
        names.get("client_id"), names.get("org_id"), names.get("issuer"),
    )


def compile_decision_tables(
    text: str, source: str, routes: Sequence[TemplateRoute], public: Sequence[TemplateRoute] = ()
) -> tuple[Client, ...]:
    problems = _Problems(source)
    try:
        _, raw_clients = load_versioned_list(
            text, version=TABLES_VERSION, list_key="clients", keys=TOP_LEVEL_KEYS
        )
    except YamlProblem as problem:
        raise problems.fail(problem.line, str(problem)) from None
    clients: list[Client] = []
    names: dict[str, int] = {}
    for raw, line in zip(raw_clients, raw_clients.item_lines):
        client = _parse_client(raw, line, routes, public, problems)
        if client.name in names:
            raise problems.fail(
                line,
                f"client {client.name!r} is already defined on line {names[client.name]}; rename or merge it",
            )
        names[client.name] = line
        clients.append(client)
    return tuple(clients)


def load_decision_tables(
    path: Path, routes: Sequence[TemplateRoute], public: Sequence[TemplateRoute] = ()
) -> tuple[Client, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DecisionTableError(f"{path}: decision tables not found; add the file or pass --tests") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DecisionTableError(
            f"{path}: cannot read the decision tables ({error.__class__.__name__})"
        ) from None
    return compile_decision_tables(text, str(path), routes, public)


def cases_for(client: Client, views: Iterable[RouteView]) -> tuple[Case, ...]:
    """Every request the client is tested on, with the decision it must get."""
    cases: dict[Request, Case] = {}
    views = tuple(views)
    routes = [view.route for view in views]
    for request in client.allowed_requests:
        route = route_of(request, routes)
        assert route is not None  # checked when the table was compiled
        cases[request] = Case(client, request, route, True, client.entry_lines[request.text])
    for view in views:
        whole = view.route in client.allowed_routes
        line = client.entry_lines[view.route.text] if whole else client.line
        for request in view.requests:
            cases.setdefault(request, Case(client, request, view.route, whole, line))
    return tuple(cases.values())


def run_cases(ruleset: RuleSet, cases: Iterable[Case]) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(case, ruleset.decide(case.request.method, case.request.path, case.client.caller))
        for case in cases
    )
