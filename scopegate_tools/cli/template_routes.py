"""The routes template.yaml exposes, as API Gateway routes requests to them (pure).

A template path is a resource path of :mod:`authorizer.resource_path`, the one route parser:
literal segments, ``{name}`` (one non-empty segment without ``/``) and ``{name+}`` (the rest of
the path). A request belongs to the most specific route whose path matches it: segment by
segment, a literal beats ``{name}``, which beats ``{name+}`` (API Gateway's resource
precedence); on that resource an explicit method beats ``ANY``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from authorizer.resource_path import ResourcePath, Segment, parse_resource_path
from authorizer.route import HTTP_METHODS
from scopegate_tools.cli.route_audit import audit_routes
from scopegate_tools.sam_events import RouteSpec
from scopegate_tools.sam_template import SamApplication

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
    resource: ResourcePath

    @property
    def segments(self) -> tuple[Segment, ...]:
        """(kind, text) per segment."""
        return self.resource.segments

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def methods(self) -> tuple[str, ...]:
        return HTTP_METHODS if self.method == "ANY" else (self.method,)

    @property
    def precedence(self) -> tuple[int, ...]:
        return self.resource.precedence

    def path_matches(self, path: str) -> bool:
        return self.resource.matches(path)


def template_route(method: str, path: str, line: int = 0) -> TemplateRoute:
    """The route of ``method`` on ``path``; raises ResourcePathProblem when ``path`` is not a
    resource path (the template reader records such events as unread instead)."""
    return TemplateRoute(method=method.upper(), path=path, line=line, resource=parse_resource_path(path))


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
