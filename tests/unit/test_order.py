"""services/orders/order.py: request validation and the order's JSON and DynamoDB shapes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.services import service_module

order = service_module("orders", "order")

WIDGETS = order.Order(
    order_id="0" * 32,
    item="widget",
    quantity=2,
    amount_cents=1999,
    created_at="2026-11-25T13:40:00.000Z",
    created_by="orders-writer",
)


def test_parse_new_order_reads_a_valid_body() -> None:
    assert order.parse_new_order('{"item": "widget", "quantity": 2, "amount_cents": 1999}') == order.NewOrder("widget", 2, 1999)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "the request needs a JSON object body"),
        ("", "the request needs a JSON object body"),
        ("{not json", "the body is not valid JSON"),
        ("[1, 2]", "the body must be a JSON object"),
        ('{"item": "w", "quantity": 1}', "missing field(s): amount_cents"),
        ('{"item": "w", "quantity": 1, "amount_cents": 5, "price": 1}', "unknown field(s): price; allowed: item, quantity, amount_cents"),
        ('{"item": "  ", "quantity": 1, "amount_cents": 5}', "'item' must be a non-empty string"),
        ('{"item": 3, "quantity": 1, "amount_cents": 5}', "'item' must be a non-empty string"),
        ('{"item": "' + "w" * 101 + '", "quantity": 1, "amount_cents": 5}', "'item' must be at most 100 characters"),
        ('{"item": "w", "quantity": 0, "amount_cents": 5}', "'quantity' must be a whole number from 1 to 1000"),
        ('{"item": "w", "quantity": true, "amount_cents": 5}', "'quantity' must be a whole number from 1 to 1000"),
        ('{"item": "w", "quantity": 1.5, "amount_cents": 5}', "'quantity' must be a whole number from 1 to 1000"),
        ('{"item": "w", "quantity": 1, "amount_cents": "5"}', "'amount_cents' must be a whole number from 1 to 100000000"),
    ],
    ids=["none", "empty", "bad-json", "array", "missing", "unknown", "blank-item", "int-item", "long-item",
         "zero-quantity", "bool-quantity", "float-quantity", "string-amount"],
)
def test_parse_new_order_refuses_bad_bodies_with_a_clear_message(body: str | None, message: str) -> None:
    with pytest.raises(order.InvalidRequest) as raised:
        order.parse_new_order(body)
    assert str(raised.value) == message


def test_parse_refund_request_reads_and_validates() -> None:
    assert order.parse_refund_request('{"amount_cents": 500, "reason": "damaged"}') == order.RefundRequest(500, "damaged")
    with pytest.raises(order.InvalidRequest, match="missing field\\(s\\): reason"):
        order.parse_refund_request('{"amount_cents": 500}')


def test_order_status_follows_the_refunded_amount() -> None:
    assert WIDGETS.status == "placed"
    partly = order.order_from_item({**order.order_item(WIDGETS), "refunded_cents": Decimal(500)})
    fully = order.order_from_item({**order.order_item(WIDGETS), "refunded_cents": Decimal(1999)})
    assert (partly.status, partly.refundable_cents, fully.status) == ("partially_refunded", 1499, "refunded")


def test_order_round_trips_through_its_dynamodb_item() -> None:
    refund = order.Refund("1" * 32, 500, "damaged", "2026-11-25T14:00:00.000Z", "orders-admin")
    refunded = order.Order(**{**{f: getattr(WIDGETS, f) for f in WIDGETS.__slots__}, "refunded_cents": 500, "refunds": (refund,)})
    item = order.order_item(refunded)
    assert item == {
        "order_id": "0" * 32, "item": "widget", "quantity": 2, "amount_cents": 1999, "refunded_cents": 500,
        "refunds": [{"refund_id": "1" * 32, "amount_cents": 500, "reason": "damaged",
                     "created_at": "2026-11-25T14:00:00.000Z", "created_by": "orders-admin"}],
        "created_at": "2026-11-25T13:40:00.000Z", "created_by": "orders-writer",
    }
    as_stored = {**item, "quantity": Decimal(2), "amount_cents": Decimal(1999), "refunded_cents": Decimal(500),
                 "refunds": [{**item["refunds"][0], "amount_cents": Decimal(500)}]}
    assert order.order_from_item(as_stored) == refunded


def test_place_order_records_the_creating_client() -> None:
    placed = order.place_order(order.NewOrder("widget", 2, 1999), "0" * 32, "2026-11-25T13:40:00.000Z", "orders-writer")
    assert placed == WIDGETS


def test_is_order_id_accepts_only_uuid4_hex() -> None:
    assert [order.is_order_id(t) for t in ("0" * 32, "0" * 31, "G" * 32, "../x")] == [True, False, False, False]
