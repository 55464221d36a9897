"""scopegate_tools.cli.template_routes: the routes the authorizer guards and where a request goes."""

from __future__ import annotations

from pathlib import Path

from scopegate_tools.cli.template_routes import Request, guarded_routes, public_routes, route_of, template_route
from scopegate_tools.sam_template import load_template
from tests.support.orders_example import TEMPLATE

ROUTES = [
    template_route("ANY", "/{proxy+}"),
    template_route("GET", "/orders/{id}"),
    template_route("GET", "/orders/summary"),
    template_route("ANY", "/orders/{id}/items"),
    template_route("POST", "/orders/{id}/items"),
]


def test_a_literal_segment_beats_a_parameter_which_beats_a_proxy() -> None:
    assert route_of(Request("GET", "/orders/summary"), ROUTES) == ROUTES[2]
    assert route_of(Request("GET", "/orders/7"), ROUTES) == ROUTES[1]
    assert route_of(Request("GET", "/orders/7/items/3"), ROUTES) == ROUTES[0]


def test_an_explicit_method_beats_any_on_the_same_resource() -> None:
    assert route_of(Request("POST", "/orders/7/items"), ROUTES) == ROUTES[4]
    assert route_of(Request("PATCH", "/orders/7/items"), ROUTES) == ROUTES[3]


def test_a_method_the_chosen_resource_lacks_goes_nowhere() -> None:
    assert route_of(Request("DELETE", "/orders/7"), ROUTES) is None


def test_guarded_and_public_routes_of_a_template(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    app = load_template(path)
    assert [route.text for route in guarded_routes(app)] == [
        "GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}",
        "POST /orders/{id}/refunds", "GET /orders/{id}/refunds", "ANY /admin/{proxy+}",
    ]
    assert [route.text for route in public_routes(app)] == ["GET /health"]


def test_routes_of_another_kind_of_authorizer_are_not_guarded(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.replace(
        "Health: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /health, Method: get, Auth: {Authorizer: NONE}}}",
        "Health: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /health, Method: get, Auth: {Authorizer: AWS_IAM}}}",
    ))
    app = load_template(path)
    assert "GET /health" not in [route.text for route in guarded_routes(app)]
