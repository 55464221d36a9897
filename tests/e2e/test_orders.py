"""The orders API end to end: issuer tokens -> local gateway -> scopegate -> orders service -> moto DynamoDB."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import pytest

from local.stack import Stack
from tests.support.issuer_client import token_for
from tests.support.local_stack import HttpResult, bearer, http

ORDER = {"item": "widget", "quantity": 2, "amount_cents": 1500}


def call(stack: Stack, client: str, method: str, path: str, body: dict | None = None) -> HttpResult:
    headers = bearer(token_for(stack.issuer_url, client))
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    return http(method, stack.gateway_url + path, headers, data)


@pytest.fixture
def order_id(stack: Stack) -> str:
    created = call(stack, "orders-writer", "POST", "/orders", ORDER)
    assert created.status == 201
    return created.json()["id"]


def test_reader_can_list_and_read_but_not_create_delete_or_refund(stack: Stack, order_id: str) -> None:
    statuses = {
        "GET /orders": call(stack, "orders-reader", "GET", "/orders").status,
        f"GET /orders/{order_id}": call(stack, "orders-reader", "GET", f"/orders/{order_id}").status,
        "POST /orders": call(stack, "orders-reader", "POST", "/orders", ORDER).status,
        f"DELETE /orders/{order_id}": call(stack, "orders-reader", "DELETE", f"/orders/{order_id}").status,
        "POST refunds": call(stack, "orders-reader", "POST", f"/orders/{order_id}/refunds", {"amount_cents": 100, "reason": "x"}).status,
    }
    assert statuses == {
        "GET /orders": 200,
        f"GET /orders/{order_id}": 200,
        "POST /orders": 403,
        f"DELETE /orders/{order_id}": 403,
        "POST refunds": 403,
    }


def test_the_location_of_a_new_order_leads_to_it_through_the_gateway(stack: Stack) -> None:
    # GIVEN an order placed through the gateway's stage URL (http://127.0.0.1:<port>/Dev)
    created = call(stack, "orders-writer", "POST", "/orders", ORDER)
    assert created.status == 201

    # WHEN the client follows its Location, resolved against the URL it called (RFC 9110)
    location = created.headers["Location"]
    url = urljoin(stack.gateway_url + "/orders", location)
    followed = http("GET", url, bearer(token_for(stack.issuer_url, "orders-reader")))

    # THEN the link kept the stage, and it answers the order
    assert (location, url) == (f"/Dev/orders/{created.json()['id']}", f"{stack.gateway_url}/orders/{created.json()['id']}")
    assert (followed.status, followed.json()) == (200, created.json())


def test_created_order_records_the_writers_client_id(stack: Stack, order_id: str) -> None:
    order = call(stack, "orders-reader", "GET", f"/orders/{order_id}").json()
    assert (order["item"], order["quantity"], order["created_by"]) == ("widget", 2, "orders-writer")


def test_admin_can_refund_but_writer_cannot(stack: Stack, order_id: str) -> None:
    refund = {"amount_cents": 500, "reason": "damaged"}
    assert call(stack, "orders-writer", "POST", f"/orders/{order_id}/refunds", refund).status == 403
    refunded = call(stack, "orders-admin", "POST", f"/orders/{order_id}/refunds", refund)
    assert refunded.status == 201
    assert refunded.json()["refunded_cents"] == 500
    assert refunded.json()["refunds"][0]["created_by"] == "orders-admin"


def test_one_token_on_many_routes_is_decided_right_from_the_cache(stack: Stack) -> None:
    # GIVEN the shipped ReauthorizeEvery (300 s): one writer token, five routes
    headers = bearer(token_for(stack.issuer_url, "orders-writer"))
    base = stack.gateway_url
    created = http("POST", base + "/orders", {**headers, "Content-Type": "application/json"}, json.dumps(ORDER).encode())
    order = created.json()["id"]
    answers = [
        created.status,
        http("GET", base + "/orders", headers).status,
        http("GET", base + f"/orders/{order}", headers).status,
        http("POST", base + f"/orders/{order}/refunds", {**headers, "Content-Type": "application/json"}, b'{"amount_cents":1,"reason":"x"}').status,
        http("GET", base + f"/orders/{order}/internal/audit", headers).status,
        http("DELETE", base + f"/orders/{order}", headers).status,
    ]
    # THEN every route gets the rules' answer, and the authorizer ran once
    assert answers == [201, 200, 200, 403, 403, 204]
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 1
