"""Pure: orders and refunds, the validation of request bodies, and their JSON and DynamoDB shapes.

Nothing here reads the clock, the environment or the network: ids, times and the
caller's ``client_id`` are passed in by the shell (``app.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ORDER_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex
MAX_ITEM_CHARS = 100
MAX_REASON_CHARS = 200
MAX_QUANTITY = 1000
MAX_AMOUNT_CENTS = 100_000_000


class InvalidRequest(ValueError):
    """The request body is not acceptable; the message says why (answered as 400)."""


@dataclass(frozen=True, slots=True)
class NewOrder:
    item: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class RefundRequest:
    amount_cents: int
    reason: str


@dataclass(frozen=True, slots=True)
class Refund:
    refund_id: str
    amount_cents: int
    reason: str
    created_at: str
    created_by: str  # client_id of the caller, for audit


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    item: str
    quantity: int
    amount_cents: int
    created_at: str  # ISO 8601, UTC
    created_by: str  # client_id of the caller, for audit
    refunded_cents: int = 0
    refunds: tuple[Refund, ...] = ()

    @property
    def status(self) -> str:
        if self.refunded_cents == 0:
            return "placed"
        return "refunded" if self.refunded_cents == self.amount_cents else "partially_refunded"

    @property
    def refundable_cents(self) -> int:
        return self.amount_cents - self.refunded_cents


def _json_object(body: str | None) -> dict[str, Any]:
    if body is None or body == "":
        raise InvalidRequest("the request needs a JSON object body")
    try:
        value = json.loads(body)
    except ValueError:
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidRequest("the body must be a JSON object")
    return value


def _fields(value: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise InvalidRequest(f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [name for name in allowed if name not in value]
    if missing:
        raise InvalidRequest(f"missing field(s): {', '.join(missing)}")


def _text(value: dict[str, Any], name: str, max_chars: int) -> str:
    text = value[name]
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest(f"'{name}' must be a non-empty string")
    if len(text) > max_chars:
        raise InvalidRequest(f"'{name}' must be at most {max_chars} characters")
    return text


def _whole(value: dict[str, Any], name: str, maximum: int) -> int:
    number = value[name]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= maximum:
        raise InvalidRequest(f"'{name}' must be a whole number from 1 to {maximum}")
    return number


def parse_new_order(body: str | None) -> NewOrder:
    """``{"item": str, "quantity": int, "amount_cents": int}`` -> :class:`NewOrder`."""
    value = _json_object(body)
    _fields(value, ("item", "quantity", "amount_cents"))
    return NewOrder(
        item=_text(value, "item", MAX_ITEM_CHARS),
        quantity=_whole(value, "quantity", MAX_QUANTITY),
        amount_cents=_whole(value, "amount_cents", MAX_AMOUNT_CENTS),
    )


def parse_refund_request(body: str | None) -> RefundRequest:
    """``{"amount_cents": int, "reason": str}`` -> :class:`RefundRequest`."""
    value = _json_object(body)
    _fields(value, ("amount_cents", "reason"))
    return RefundRequest(
        amount_cents=_whole(value, "amount_cents", MAX_AMOUNT_CENTS),
        reason=_text(value, "reason", MAX_REASON_CHARS),
    )


def is_order_id(text: str) -> bool:
    return ORDER_ID.fullmatch(text) is not None


def place_order(new: NewOrder, order_id: str, now: str, client_id: str) -> Order:
    return Order(order_id, new.item, new.quantity, new.amount_cents, created_at=now, created_by=client_id)


def refund_json(refund: Refund) -> dict[str, Any]:
    return {
        "refund_id": refund.refund_id,
        "amount_cents": refund.amount_cents,
        "reason": refund.reason,
        "created_at": refund.created_at,
        "created_by": refund.created_by,
    }


def order_json(order: Order) -> dict[str, Any]:
    """The order as the API answers it."""
    return {
        "id": order.order_id,
        "item": order.item,
        "quantity": order.quantity,
        "amount_cents": order.amount_cents,
        "status": order.status,
        "refunded_cents": order.refunded_cents,
        "refunds": [refund_json(refund) for refund in order.refunds],
        "created_at": order.created_at,
        "created_by": order.created_by,
    }


def order_item(order: Order) -> dict[str, Any]:
    """The order as a DynamoDB item (boto3 resource shape)."""
    item = order_json(order)
    item["order_id"] = item.pop("id")
    del item["status"]
    return item


def refund_from_item(item: dict[str, Any]) -> Refund:
    return Refund(
        refund_id=str(item["refund_id"]),
        amount_cents=int(item["amount_cents"]),
        reason=str(item["reason"]),
        created_at=str(item["created_at"]),
        created_by=str(item["created_by"]),
    )


def order_from_item(item: dict[str, Any]) -> Order:
    """A DynamoDB item (numbers as :class:`~decimal.Decimal`) -> :class:`Order`."""
    return Order(
        order_id=str(item["order_id"]),
        item=str(item["item"]),
        quantity=int(Decimal(item["quantity"])),
        amount_cents=int(Decimal(item["amount_cents"])),
        created_at=str(item["created_at"]),
        created_by=str(item["created_by"]),
        refunded_cents=int(Decimal(item.get("refunded_cents", 0))),
        refunds=tuple(refund_from_item(refund) for refund in item.get("refunds", [])),
    )
