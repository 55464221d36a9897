"""I/O: orders in one DynamoDB table (partition key ``order_id``), through boto3.

The table name comes from ``ORDERS_TABLE_NAME``; ``DYNAMODB_ENDPOINT_URL``, when
set and not empty, points boto3 at another endpoint (moto's server mode in the
local stack). In AWS it is empty and boto3 uses the regional endpoint.

The function's IAM policy (template.yaml) grants exactly the calls made here:
GetItem, PutItem, UpdateItem, DeleteItem and Scan on this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from order import Order, Refund, order_from_item, order_item, refund_json

TABLE_ENV = "ORDERS_TABLE_NAME"
ENDPOINT_ENV = "DYNAMODB_ENDPOINT_URL"


class RefundTooLarge(Exception):
    """The refund is more than what is left to refund on the order (answered as 409)."""


class StoreMisconfigured(Exception):
    """The environment does not name the table (a deployment fault: 500)."""


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: tuple[Order, ...]
    next_cursor: str | None  # the last order_id of this page when more may follow


def _conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class OrderStore:
    """Orders in a DynamoDB table (a boto3 ``Table`` resource is injected)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> OrderStore:
        name = environ.get(TABLE_ENV, "")
        if not name:
            raise StoreMisconfigured(f"{TABLE_ENV} is not set")
        endpoint = environ.get(ENDPOINT_ENV) or None
        return cls(boto3.resource("dynamodb", endpoint_url=endpoint).Table(name))

    def add(self, order: Order) -> None:
        """Store a new order (never overwrites one with the same id)."""
        self._table.put_item(Item=order_item(order), ConditionExpression="attribute_not_exists(order_id)")

    def get(self, order_id: str) -> Order | None:
        item = self._table.get_item(Key={"order_id": order_id}, ConsistentRead=True).get("Item")
        return order_from_item(item) if item else None

    def page(self, limit: int, after: str | None = None) -> OrderPage:
        """Up to ``limit`` orders, in table order, starting after the order id ``after``."""
        arguments: dict[str, Any] = {"Limit": limit}
        if after:
            arguments["ExclusiveStartKey"] = {"order_id": after}
        answer = self._table.scan(**arguments)
        last = answer.get("LastEvaluatedKey")
        return OrderPage(
            orders=tuple(order_from_item(item) for item in answer.get("Items", [])),
            next_cursor=str(last["order_id"]) if last else None,
        )

    def remove(self, order_id: str) -> bool:
        """Delete an order; False when there was none."""
        try:
            self._table.delete_item(Key={"order_id": order_id}, ConditionExpression="attribute_exists(order_id)")
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def add_refund(self, order: Order, refund: Refund) -> Order | None:
        """Record a refund atomically; None when the order is gone.

        ``amount_cents`` never changes, so "refunded + refund <= amount" is the
        condition ``refunded_cents <= amount - refund``, checked by DynamoDB.

        Raises
        ------
        RefundTooLarge
            The refund exceeds what is left to refund.
        """
        if refund.amount_cents > order.refundable_cents:
            raise RefundTooLarge(f"at most {order.refundable_cents} cents are left to refund")
        try:
            answer = self._table.update_item(
                Key={"order_id": order.order_id},
                UpdateExpression="SET refunded_cents = refunded_cents + :amount, refunds = list_append(refunds, :refund)",
                ConditionExpression="attribute_exists(order_id) AND refunded_cents <= :ceiling",
                ExpressionAttributeValues={
                    ":amount": refund.amount_cents,
                    ":refund": [refund_json(refund)],
                    ":ceiling": order.amount_cents - refund.amount_cents,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise
            current = self.get(order.order_id)
            if current is None:
                return None
            raise RefundTooLarge(f"at most {current.refundable_cents} cents are left to refund") from None
        return order_from_item(answer["Attributes"])
