"""Match a request path to a template route as API Gateway REST does (pure).

Each route's resource path is parsed by :mod:`authorizer.resource_path`, the one route parser
(what a segment may hold, and which paths match). Where several resources match, the most
specific wins segment by segment (literal, then parameter, then greedy); a method of the resource
is chosen before its ``ANY`` method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scopegate_tools.sam_template import RouteSpec


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: RouteSpec
    path_parameters: Mapping[str, str]


def match_route(routes: Iterable[RouteSpec], method: str, path: str) -> RouteMatch | None:
    """The route serving ``method`` on ``path`` (the path below the stage), or None."""
    best: tuple[tuple[int, ...], int, RouteSpec, dict[str, str]] | None = None
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        resource = route.resource
        params = resource.match(path)
        if params is None:
            continue
        key = (resource.precedence, 0 if route.method == method else 1)
        if best is None or key < (best[0], best[1]):
            best = (key[0], key[1], route, params)
    if best is None:
        return None
    return RouteMatch(best[2], best[3])
