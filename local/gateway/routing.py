"""Match a request path to a template route as API Gateway REST does (pure).

A resource path is a list of segments: a literal (``hello``), a parameter (``{id}``, one
segment) or a greedy parameter (``{proxy+}``, one or more segments, last only). Where several
resources match, the most specific wins segment by segment (literal, then parameter, then greedy);
a method of the resource is chosen before its ``ANY`` method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scopegate_tools.sam_template import RouteSpec

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: RouteSpec
    path_parameters: Mapping[str, str]


def _segments(path: str) -> list[str]:
    return [segment for segment in path.strip("/").split("/") if segment] if path.strip("/") else []


def _kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAMETER
    return _LITERAL


def _match_resource(template: list[str], actual: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """The specificity key and parameters when ``actual`` fits ``template``, else None."""
    params: dict[str, str] = {}
    rank: list[int] = []
    for index, segment in enumerate(template):
        kind = _kind(segment)
        if kind == _GREEDY:
            if index != len(template) - 1 or index >= len(actual):
                return None
            params[segment[1:-2]] = "/".join(actual[index:])
            rank.append(kind)
            return tuple(rank), params
        if index >= len(actual):
            return None
        if kind == _PARAMETER:
            params[segment[1:-1]] = actual[index]
        elif segment != actual[index]:
            return None
        rank.append(kind)
    if len(template) != len(actual):
        return None
    return tuple(rank), params


def match_route(routes: Iterable[RouteSpec], method: str, path: str) -> RouteMatch | None:
    """The route serving ``method`` on ``path`` (the path below the stage), or None."""
    actual = _segments(path)
    best: tuple[tuple[int, ...], int, RouteSpec, dict[str, str]] | None = None
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        found = _match_resource(_segments(route.path), actual)
        if found is None:
            continue
        rank, params = found
        key = (rank, 0 if route.method == method else 1)
        if best is None or key < (best[0], best[1]):
            best = (rank, key[1], route, params)
    if best is None:
        return None
    return RouteMatch(best[2], best[3])
