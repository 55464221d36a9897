"""services/orders through its Lambda handler, with authorizer contexts, on moto's in-process DynamoDB."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from tests.support.lambda_context import FakeLambdaContext
from tests.support.proxy_events import proxy_event
from tests.support.services import captured_log, response_json

WIDGETS = {"item": "widget", "quantity": 2, "amount_cents": 1999}
UNKNOWN = "f" * 32


def call(
    orders: ModuleType,
    method: str,
    path: str,
    client: str | None,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> tuple[int, Any]:
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    response = orders.lambda_handler(proxy_event(method, path, authorizer=client, body=text, query=query), FakeLambdaContext())
    return response["statusCode"], response_json(response)


def create(orders: ModuleType, body: dict[str, Any] = WIDGETS) -> dict[str, Any]:
    status, order = call(orders, "POST", "/orders", "writer", body)
    assert status == 201
    return order


def test_writer_creates_an_order_that_records_its_client_id(orders: ModuleType, dynamodb: Any) -> None:
    # WHEN the writer places an order
    response = orders.lambda_handler(proxy_event("POST", "/orders", authorizer="writer", body=json.dumps(WIDGETS)), None)

    # THEN 201 with the order, which names the writer's client for audit, at a path the client can follow
    order = response_json(response)
    assert response["statusCode"] == 201
    assert response["multiValueHeaders"]["Location"] == [f"/Dev/orders/{order['id']}"]
    assert {k: v for k, v in order.items() if k not in ("id", "created_at")} == {
        "item": "widget", "quantity": 2, "amount_cents": 1999, "status": "placed",
        "refunded_cents": 0, "refunds": [], "created_by": "orders-writer",
    }
    # AND the table holds it
    stored = dynamodb.get_item(TableName="OrdersTable", Key={"order_id": {"S": order["id"]}})["Item"]
    assert (stored["created_by"], stored["amount_cents"]) == ({"S": "orders-writer"}, {"N": "1999"})


def test_reader_can_list_and_read_but_not_create_delete_or_refund(orders: ModuleType) -> None:
    order = create(orders)

    assert call(orders, "GET", "/orders", "reader") == (200, {"orders": [order], "next": None})
    assert call(orders, "GET", f"/orders/{order['id']}", "reader") == (200, order)

    # the gateway would refuse these; the service's own re-check refuses them too
    for method, path, body in [
        ("POST", "/orders", WIDGETS),
        ("DELETE", f"/orders/{order['id']}", None),
        ("POST", f"/orders/{order['id']}/refunds", {"amount_cents": 100, "reason": "damaged"}),
    ]:
        status, answer = call(orders, method, path, "reader", body)
        assert (status, answer["error"]) == (403, "insufficient_scope"), (method, path)
    assert call(orders, "GET", f"/orders/{order['id']}", "reader") == (200, order)  # nothing changed


def test_admin_refunds_and_each_refund_records_the_admin(orders: ModuleType) -> None:
    order = create(orders)
    path = f"/orders/{order['id']}/refunds"

    status, refunded = call(orders, "POST", path, "admin", {"amount_cents": 500, "reason": "damaged"})
    assert (status, refunded["status"], refunded["refunded_cents"], refunded["created_by"]) == (201, "partially_refunded", 500, "orders-writer")
    assert [(r["amount_cents"], r["reason"], r["created_by"]) for r in refunded["refunds"]] == [(500, "damaged", "orders-admin")]

    status, answer = call(orders, "POST", path, "admin", {"amount_cents": 1500, "reason": "again"})
    assert (status, answer) == (409, {"statusCode": 409, "message": "at most 1499 cents are left to refund"})

    status, refunded = call(orders, "POST", path, "admin", {"amount_cents": 1499, "reason": "rest"})
    assert (status, refunded["status"], refunded["refunded_cents"], len(refunded["refunds"])) == (201, "refunded", 1999, 2)


def test_writer_cannot_refund(orders: ModuleType) -> None:
    order = create(orders)
    with captured_log("orders", orders.logger) as log:
        status, answer = call(orders, "POST", f"/orders/{order['id']}/refunds", "writer", {"amount_cents": 1, "reason": "x"})
    assert (status, answer) == (403, {"message": "Forbidden", "error": "insufficient_scope"})
    assert [(r["route"], r["requirement"]) for r in log.records()] == [
        ("POST /orders/{id}/refunds", "(read:orders OR admin) AND refund:orders AND admin")
    ]


def test_writer_deletes_and_then_the_order_is_gone(orders: ModuleType) -> None:
    order = create(orders)
    assert call(orders, "DELETE", f"/orders/{order['id']}", "writer") == (204, None)
    assert call(orders, "GET", f"/orders/{order['id']}", "admin") == (404, {"statusCode": 404, "message": f"no order {order['id']}"})
    assert call(orders, "DELETE", f"/orders/{order['id']}", "writer") == (404, {"statusCode": 404, "message": f"no order {order['id']}"})


@pytest.mark.parametrize(
    ("method", "suffix", "client", "body"),
    [
        ("GET", "", "reader", None),
        ("DELETE", "", "writer", None),
        ("POST", "/refunds", "admin", {"amount_cents": 1, "reason": "x"}),
    ],
)
@pytest.mark.parametrize("order_id", [UNKNOWN, "not-an-id"])
def test_unknown_ids_answer_404(orders: ModuleType, method: str, suffix: str, client: str, body: Any, order_id: str) -> None:
    assert call(orders, method, f"/orders/{order_id}{suffix}", client, body) == (404, {"statusCode": 404, "message": f"no order {order_id}"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{oops", "the body is not valid JSON"),
        (None, "the request needs a JSON object body"),
        ({"item": "widget"}, "missing field(s): quantity, amount_cents"),
        ({**WIDGETS, "quantity": -1}, "'quantity' must be a whole number from 1 to 1000"),
    ],
    ids=["bad-json", "no-body", "missing-fields", "negative-quantity"],
)
def test_bad_order_bodies_answer_400_with_a_clear_message(orders: ModuleType, body: Any, message: str) -> None:
    assert call(orders, "POST", "/orders", "writer", body) == (400, {"statusCode": 400, "message": message})
    assert call(orders, "GET", "/orders", "reader") == (200, {"orders": [], "next": None})


def test_bad_refund_body_answers_400(orders: ModuleType) -> None:
    order = create(orders)
    assert call(orders, "POST", f"/orders/{order['id']}/refunds", "admin", {"amount_cents": 0, "reason": "x"}) == (
        400, {"statusCode": 400, "message": "'amount_cents' must be a whole number from 1 to 100000000"})


def test_listing_pages_through_every_order(orders: ModuleType) -> None:
    created = {create(orders)["id"] for _ in range(3)}

    status, first = call(orders, "GET", "/orders", "admin", query={"limit": "2"})
    assert (status, len(first["orders"])) == (200, 2) and first["next"] is not None
    status, second = call(orders, "GET", "/orders", "admin", query={"limit": "2", "after": first["next"]})
    assert (status, len(second["orders"]), second["next"]) == (200, 1, None)
    assert {o["id"] for o in first["orders"] + second["orders"]} == created


@pytest.mark.parametrize(
    ("query", "message"),
    [({"limit": "0"}, "'limit' must be a whole number from 1 to 100"), ({"limit": "x"}, "'limit' must be a whole number from 1 to 100"),
     ({"after": "../etc"}, "'after' must be an order id")],
)
def test_listing_refuses_bad_query_parameters(orders: ModuleType, query: dict[str, str], message: str) -> None:
    assert call(orders, "GET", "/orders", "reader", query=query) == (400, {"statusCode": 400, "message": message})


def test_a_route_deployed_without_the_authorizer_stores_nothing(orders: ModuleType, dynamodb: Any) -> None:
    status, answer = call(orders, "POST", "/orders", None, WIDGETS)
    assert (status, answer["error"]) == (500, "server_error")
    assert dynamodb.scan(TableName="OrdersTable")["Items"] == []


def test_a_missing_table_name_answers_500_and_says_why(orders: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERS_TABLE_NAME")
    with captured_log("orders", orders.logger) as log:
        assert call(orders, "GET", "/orders", "reader") == (500, {"statusCode": 500, "message": "Internal server error"})
    assert [(r["level"], r["reason"], r["problem"]) for r in log.records()] == [("ERROR", "store_misconfigured", "ORDERS_TABLE_NAME is not set")]


def test_creating_logs_the_caller_and_the_order(orders: ModuleType) -> None:
    with captured_log("orders", orders.logger) as log:
        order = create(orders)
    assert [(r["message"], r["order_id"], r["client_id"]) for r in log.records()] == [("order created", order["id"], "orders-writer")]


# requestContext.path as API Gateway sets it for each kind of URL (scopegate_context.client_path)
CALLED_PATHS = [
    pytest.param("/Dev/orders", "/Dev", id="execute-api URL: the stage"),
    pytest.param("/v1/orders", "/v1", id="custom domain, base path v1: no stage"),
    pytest.param("/orders", "", id="custom domain mapped at its root"),
    pytest.param("/shop/v2/orders", "/shop/v2", id="custom domain, multi-level base path"),
]


@pytest.mark.parametrize(("called", "prefix"), CALLED_PATHS)
def test_location_is_the_new_order_under_the_path_the_client_called(
    orders: ModuleType, called: str, prefix: str
) -> None:
    # GIVEN a POST /orders that reached the API through a URL whose path was `called`
    event = proxy_event("POST", "/orders", authorizer="writer", body=json.dumps(WIDGETS))
    event["requestContext"]["path"] = called

    # WHEN the order is placed
    response = orders.lambda_handler(event, None)

    # THEN its Location is the order's path under the same prefix, and it reads back there
    order_id = response_json(response)["id"]
    location = response["multiValueHeaders"]["Location"]
    assert (response["statusCode"], location) == (201, [f"{prefix}/orders/{order_id}"])
    follow = proxy_event("GET", f"/orders/{order_id}", authorizer="reader")
    follow["requestContext"]["path"] = location[0]
    assert orders.lambda_handler(follow, None)["statusCode"] == 200


def test_a_request_path_without_the_resource_answers_500_and_stores_nothing(orders: ModuleType, dynamodb: Any) -> None:
    # GIVEN an event whose requestContext.path does not end with the resource it names
    event = proxy_event("POST", "/orders", authorizer="writer", body=json.dumps(WIDGETS))
    event["requestContext"]["path"] = "/Dev/elsewhere"

    # WHEN the service handles it
    with captured_log("orders", orders.logger) as log:
        response = orders.lambda_handler(event, None)

    # THEN 500 with the reason logged, and no order without a link was stored
    assert (response["statusCode"], response_json(response)) == (500, {"statusCode": 500, "message": "Internal server error"})
    assert [(r["level"], r["reason"]) for r in log.records()] == [("ERROR", "unexpected_request_path")]
    assert dynamodb.scan(TableName="OrdersTable")["Items"] == []
