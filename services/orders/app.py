"""The orders service: a small REST resource behind scopegate (Powertools APIGatewayRestResolver).

=========================================  =============================================
route                                      the service's own re-check (scopes.toml; the
                                           same as policies/rules.yaml, which decides
                                           first, at the gateway: `check` compares them)
=========================================  =============================================
GET    /orders                             read:orders OR admin
POST   /orders                             write:orders
GET    /orders/{id}                        read:orders OR admin
DELETE /orders/{id}                        (read:orders OR admin) AND (write:orders OR admin)
POST   /orders/{id}/refunds                (read:orders OR admin) AND refund:orders AND admin
=========================================  =============================================

Every order records the ``client_id`` that created it (``created_by``) and every
refund the one that made it. Bad JSON or fields answer 400, an unknown id 404,
a refund above what is left 409. A new order's ``Location`` is its path as the
client must write it (``/Dev/orders/<id>`` on an execute-api URL, see
:func:`scopegate_context.client_path`).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from scopegate_context import RequestPathError, client_path, current_principal, require_declared_scopes

from order import (
    InvalidRequest,
    Order,
    Refund,
    is_order_id,
    order_json,
    parse_new_order,
    parse_refund_request,
    place_order,
)
from order_store import OrderStore, RefundTooLarge, StoreMisconfigured

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

logger = Logger()
app = APIGatewayRestResolver()
app.use(middlewares=[require_declared_scopes(Path(__file__).parent)])


@cache
def order_store() -> OrderStore:
    """The container's store, built on first use from the environment."""
    return OrderStore.from_environment(os.environ)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(status: int, message: str) -> Response:
    return Response(status, "application/json", json.dumps({"statusCode": status, "message": message}))


@app.exception_handler(InvalidRequest)
def _bad_request(error: InvalidRequest) -> Response:
    return _error(400, str(error))


@app.exception_handler(RefundTooLarge)
def _refund_too_large(error: RefundTooLarge) -> Response:
    return _error(409, str(error))


@app.exception_handler(RequestPathError)
def _no_location(error: RequestPathError) -> Response:
    logger.error("cannot build a link from the request", extra={"reason": error.reason, "problem": str(error)})
    return _error(500, "Internal server error")


@app.exception_handler(StoreMisconfigured)
def _misconfigured(error: StoreMisconfigured) -> Response:
    logger.error("orders store misconfigured", extra={"reason": "store_misconfigured", "problem": str(error)})
    return _error(500, "Internal server error")


def _existing(order_id: str) -> Order:
    order = order_store().get(order_id) if is_order_id(order_id) else None
    if order is None:
        raise NotFoundError(f"no order {order_id}")
    return order


def _page_size(text: str | None) -> int:
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"'limit' must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(text)


@app.get("/orders")
def list_orders() -> dict[str, Any]:
    event = app.current_event
    after = event.get_query_string_value("after")
    if after is not None and not is_order_id(after):
        raise InvalidRequest("'after' must be an order id")
    page = order_store().page(_page_size(event.get_query_string_value("limit")), after)
    return {"orders": [order_json(order) for order in page.orders], "next": page.next_cursor}


@app.post("/orders")
def create_order() -> Response:
    new = parse_new_order(app.current_event.decoded_body)
    principal = current_principal(app)
    order_id = uuid.uuid4().hex
    location = client_path(app.current_event.raw_event, f"/orders/{order_id}")  # before anything is stored
    order = place_order(new, order_id, _now(), principal.client_id)
    order_store().add(order)
    logger.info("order created", extra={"order_id": order.order_id, **principal.log_fields()})
    return Response(201, "application/json", json.dumps(order_json(order)), headers={"Location": location})


@app.get("/orders/<order_id>")
def get_order(order_id: str) -> dict[str, Any]:
    return order_json(_existing(order_id))


@app.delete("/orders/<order_id>")
def delete_order(order_id: str) -> Response:
    if not is_order_id(order_id) or not order_store().remove(order_id):
        raise NotFoundError(f"no order {order_id}")
    logger.info("order deleted", extra={"order_id": order_id, **current_principal(app).log_fields()})
    return Response(204)


@app.post("/orders/<order_id>/refunds")
def refund_order(order_id: str) -> Response:
    request = parse_refund_request(app.current_event.decoded_body)
    order = _existing(order_id)
    principal = current_principal(app)
    refund = Refund(uuid.uuid4().hex, request.amount_cents, request.reason, _now(), principal.client_id)
    refunded = order_store().add_refund(order, refund)
    if refunded is None:
        raise NotFoundError(f"no order {order_id}")
    logger.info("order refunded", extra={"order_id": order_id, "refund_id": refund.refund_id, **principal.log_fields()})
    return Response(201, "application/json", json.dumps(order_json(refunded)))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
