"""local.gateway.routing: API Gateway REST's choice of resource and method."""

from __future__ import annotations

import pytest

from scopegate_tools.sam_template import RouteSpec
from local.gateway.routing import match_route


def _route(method: str, path: str, function: str) -> RouteSpec:
    return RouteSpec("Api", method, path, function, "E", "Tok", 1)


ROUTES = [
    _route("GET", "/orders", "list"),
    _route("GET", "/orders/{id}", "get"),
    _route("GET", "/orders/latest", "latest"),
    _route("ANY", "/orders/{id}", "any-order"),
    _route("ANY", "/{proxy+}", "fallback"),
    _route("GET", "/", "root"),
]


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/orders", "list", {}),
        ("GET", "/orders/", "list", {}),
        ("GET", "/orders/7", "get", {"id": "7"}),
        ("GET", "/orders/latest", "latest", {}),
        ("DELETE", "/orders/7", "any-order", {"id": "7"}),
        ("POST", "/orders/7/items/1", "fallback", {"proxy": "orders/7/items/1"}),
        ("GET", "/", "root", {}),
        ("POST", "/", None, None),
        ("GET", "/orders//7", "fallback", {"proxy": "orders//7"}),  # an empty segment: only greedy takes it
        ("GET", "/orders/7/", "get", {"id": "7"}),
    ],
)
def test_match_route_prefers_literal_then_parameter_then_greedy_and_exact_method_then_any(
    method: str, path: str, function: str | None, params: dict[str, str] | None
) -> None:
    found = match_route(ROUTES, method, path)
    if function is None:
        assert found is None
    else:
        assert found is not None
        assert (found.route.function, dict(found.path_parameters)) == (function, params)


def test_match_route_has_no_match_without_a_greedy_route() -> None:
    assert match_route(ROUTES[:3], "GET", "/orders/7/items") is None
