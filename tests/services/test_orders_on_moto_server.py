"""services/orders against moto's server mode on 127.0.0.1, as the local stack runs it.

The service reaches DynamoDB over HTTP at ``DYNAMODB_ENDPOINT_URL`` (empty in
AWS), which is the one setting the local stack adds to template.yaml's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.dynamodb import create_template_tables
from tests.support.proxy_events import proxy_event
from tests.support.services import load_service_app, response_json


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def orders_over_http(moto_endpoint: str, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    client = boto3.client("dynamodb", endpoint_url=moto_endpoint)
    for name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
    assert create_template_tables(client) == ["OrdersTable"]
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "orders")
    monkeypatch.setenv("ORDERS_TABLE_NAME", "OrdersTable")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", moto_endpoint)
    return load_service_app("orders")


def test_orders_service_stores_and_refunds_through_the_dynamodb_endpoint(orders_over_http: ModuleType, moto_endpoint: str) -> None:
    handler = orders_over_http.lambda_handler
    body = json.dumps({"item": "gear", "quantity": 1, "amount_cents": 700})

    created = handler(proxy_event("POST", "/orders", authorizer="writer", body=body), None)
    order = response_json(created)
    refund = json.dumps({"amount_cents": 700, "reason": "returned"})
    refunded = handler(proxy_event("POST", f"/orders/{order['id']}/refunds", authorizer="admin", body=refund), None)
    listed = handler(proxy_event("GET", "/orders", authorizer="reader"), None)

    assert (created["statusCode"], refunded["statusCode"], listed["statusCode"]) == (201, 201, 200)
    assert [(o["id"], o["created_by"], o["status"], [r["created_by"] for r in o["refunds"]]) for o in response_json(listed)["orders"]] == [
        (order["id"], "orders-writer", "refunded", ["orders-admin"])
    ]
    # the data is in the server, not in the service: read it back with a separate client
    item = boto3.client("dynamodb", endpoint_url=moto_endpoint).get_item(TableName="OrdersTable", Key={"order_id": {"S": order["id"]}})["Item"]
    assert (item["created_by"]["S"], item["refunded_cents"]["N"]) == ("orders-writer", "700")
