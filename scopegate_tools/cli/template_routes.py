"""The routes template.yaml exposes, as API Gateway routes requests to them (pure).

A template path is split into parts: literal segments, ``{name}`` (one
non-empty segment without ``/``) and ``{name+}`` (one or more such segments).
A request belongs to the most specific route whose path matches it: segment by
segment, a literal beats ``{name}``, which beats ``{name+}`` (API Gateway's
resource precedence); on that resource an explicit method beats ``ANY``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from dataclasses import dataclass

from scopegate_tools.cli.route_audit import audit_routes
from authorizer.route import HTTP_METHODS
from scopegate_tools.sam_events import RouteSpec
from scopegate_tools.sam_template import SamApplication

_PARAM = re.compile(r"\{[A-Za-z0-9._-]+\}")
_PROXY = re.compile(r"\{[A-Za-z0-9._-]+\+\}")

LITERAL, PARAM, PROXY = 0, 1, 2  # segment kinds, in precedence order


@dataclass(frozen=True, slots=True)
class Request:
    """One concrete request: a verb and an actual path (parameter values substituted)."""

    method: str
    path: str

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class TemplateRoute:
    """A route of template.yaml guarded by the authorizer."""

    method: str  # a verb, or ANY
    path: str  # as written, e.g. /orders/{id}
    line: int
    segments: tuple[tuple[int, str], ...]  # (kind, text) per segment

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def methods(self) -> tuple[str, ...]:
        return HTTP_METHODS if self.method == "ANY" else (self.method,)

    @property
    def precedence(self) -> tuple[int, ...]:
        return tuple(kind for kind, _ in self.segments)

    def path_matches(self, path: str) -> bool:
        return bool(_path_regex(self.segments).fullmatch(path))


def _split(path: str) -> tuple[tuple[int, str], ...]:
    if path == "/":
        return ()
    parts = []
    for text in path.strip("/").split("/"):
        kind = PROXY if _PROXY.fullmatch(text) else PARAM if _PARAM.fullmatch(text) else LITERAL
        parts.append((kind, text))
    return tuple(parts)


@lru_cache(maxsize=1024)
def _path_regex(segments: tuple[tuple[int, str], ...]) -> re.Pattern[str]:
    if not segments:
        return re.compile("/")
    pieces = []
    for kind, text in segments:
        if kind == LITERAL:
            pieces.append("/" + re.escape(text))
        elif kind == PARAM:
            pieces.append("/[^/]+")
        else:
            pieces.append("/[^/]+(?:/[^/]+)*")
    return re.compile("".join(pieces), re.DOTALL)


def template_route(method: str, path: str, line: int = 0) -> TemplateRoute:
    return TemplateRoute(method=method.upper(), path=path, line=line, segments=_split(path))


def guarded_routes(app: SamApplication) -> tuple[TemplateRoute, ...]:
    """Every route scopegate's authorizer guards, once per method and path, in template order."""
    return routes_of(audit_routes(app).guarded)


def public_routes(app: SamApplication) -> tuple[TemplateRoute, ...]:
    """The routes declared public (``Auth: {Authorizer: NONE}`` on an API scopegate guards)."""
    return tuple(template_route(spec.method, spec.path, spec.line) for spec in audit_routes(app).public)


def routes_of(specs: Iterable[RouteSpec]) -> tuple[TemplateRoute, ...]:
    """The routes of ``specs``, once per method and path, in their order."""
    found: dict[tuple[str, str], TemplateRoute] = {}
    for spec in specs:
        route = template_route(spec.method, spec.path, spec.line)
        found.setdefault((route.method, route.path), route)
    return tuple(found.values())


def route_of(request: Request, routes: Iterable[TemplateRoute]) -> TemplateRoute | None:
    """The route API Gateway sends ``request`` to, or None when no route takes it."""
    candidates = [route for route in routes if route.path_matches(request.path)]
    if not candidates:
        return None
    best = min(route.precedence for route in candidates)
    on_resource = [route for route in candidates if route.precedence == best]
    for route in on_resource:
        if route.method == request.method:
            return route
    for route in on_resource:
        if route.method == "ANY" and request.method in HTTP_METHODS:
            return route
    return None
