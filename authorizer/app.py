"""The Lambda shell: cold-start wiring, event in, response out.

This is the one place where the error tree becomes API Gateway outcomes:

* :class:`~authorizer.errors.InvalidToken` -> ``raise Exception("Unauthorized")`` (401);
* a valid token the rules do not allow on this route -> a policy that denies it (403);
* anything else -> :class:`AuthorizerFailure` (500). No error path returns an Allow.

Every invocation writes one decision log line (see :mod:`authorizer.decision_log`).
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools import Logger

from authorizer.config import read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from authorizer.errors import AuthorizerFault, InvalidToken

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "scopegate"))

UNAUTHORIZED = "Unauthorized"  # API Gateway answers 401 for exactly this message


class AuthorizerFailure(Exception):
    """Raised to API Gateway for a fault on our side (it answers 500)."""


class _Container:
    """What one Lambda container keeps between invocations."""

    engine: Engine | None = None
    failure: AuthorizerFault | None = None
    cold: bool = True


_container = _Container()


def reset_state() -> None:
    """Forget the warm state (tests; a new container in the local gateway)."""
    global _container
    _container = _Container()


def current_engine() -> Engine:
    """The container's engine, built on first use from the environment."""
    container = _container
    if container.engine is not None:
        return container.engine
    if container.failure is not None:
        raise container.failure
    try:
        container.engine = Engine.from_settings(read_settings(os.environ))
    except AuthorizerFault as fault:
        container.failure = fault
        logger.error("cold start failed", extra={"reason": fault.reason, "problem": str(fault)})
        raise
    return container.engine


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.perf_counter_ns()
    record = DecisionRecord(decision_id=getattr(context, "aws_request_id", None))
    record.cold_start, _container.cold = _container.cold, False
    try:
        response = current_engine().authorize(event, record)
        return response
    except InvalidToken as error:
        record.outcome, record.reason = "unauthorized", error.reason
        raise Exception(UNAUTHORIZED) from None
    except AuthorizerFault as fault:
        record.outcome, record.reason = "error", fault.reason
        raise AuthorizerFailure(f"authorizer fault: {fault.reason}") from None
    except Exception as error:  # noqa: BLE001 - any surprise is a fault, never an Allow
        record.outcome, record.reason = "error", "internal_error"
        record.extra["error_type"] = type(error).__name__
        raise AuthorizerFailure("authorizer fault: internal_error") from None
    finally:
        record.latency_us = (time.perf_counter_ns() - started) // 1000
        fields = record.as_log_fields()
        if record.outcome == "error":
            logger.error("decision", extra=fields)
        else:
            logger.info("decision", extra=fields)


def _warm_up_in_lambda() -> None:
    """During Lambda's init phase, build the engine and fetch the keys once."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    try:
        current_engine().jwks.prefetch()
    except AuthorizerFault:
        pass  # reported by current_engine or retried on the first invocation


_warm_up_in_lambda()
