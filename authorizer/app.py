"""The Lambda shell: cold-start wiring, event in, response out.

This is the one place where the error tree becomes API Gateway outcomes:

* :class:`~authorizer.errors.InvalidToken` -> ``raise Exception("Unauthorized")`` (401);
* a valid token the rules do not allow on this route -> a policy that denies it (403);
* anything else -> :class:`AuthorizerFailure` (500). No error path returns an Allow.

Every invocation writes one decision log line (:mod:`authorizer.decision_log`)
and one EMF metrics document (:mod:`authorizer.metrics`). A disagreement of the
shadow rules adds one warning line. Tracing is off unless ``TRACING_ENABLED``.
"""

from __future__ import annotations

# First, before the imports below: in Lambda's init this starts the JWKS fetches (see the module).
from authorizer import lambda_init

import logging
import os
import time
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Logger

from authorizer.config import Settings, read_settings
from authorizer.decision_log import DecisionRecord, Outcome
from authorizer.engine import Engine
from authorizer.errors import AuthorizerFault, InvalidToken, Reason
from authorizer.jwks import FetchRecord, Fetcher, make_http_fetcher
from authorizer.metrics import DecisionMetrics

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "scopegate"))
UNAUTHORIZED = "Unauthorized"  # API Gateway answers 401 for exactly this message

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class AuthorizerFailure(Exception):
    """Raised to API Gateway for a fault on our side (it answers 500)."""


class _Container:
    """What one Lambda container keeps between invocations."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.failure: AuthorizerFault | None = None
        self.metrics: DecisionMetrics | None = None
        self.traced: Handler | None = None
        self.cold = True


_container = _Container()


def reset_state() -> None:
    """Forget the warm state (tests; a new container in the local gateway)."""
    global _container
    _container = _Container()


def _build(settings: Settings) -> Engine:
    metrics = DecisionMetrics(settings.metrics_namespace, settings.service_name)
    _container.metrics = metrics

    def report_fetch(fetch: FetchRecord) -> None:
        metrics.record_jwks_fetch(fetch)
        if fetch.skipped_keys:  # a sloppy publish beside usable keys: visible before it bites
            logger.warning("JWKS keys skipped", extra={"reason": Reason.JWKS_KEYS_SKIPPED,
                                                       "skipped_keys": dict(sorted(fetch.skipped_keys.items()))})

    tracer = _tracer(settings) if settings.tracing_enabled else None
    engine = Engine.from_settings(settings, fetcher=_traced_fetcher(tracer, settings) if tracer else None,
                                  on_fetch=report_fetch)
    engine.jwks.take_initial_fetches(lambda_init.take_started_fetches())  # each cache its own URL's
    if settings.shadow_rules_file is not None:
        if engine.shadow_problem:
            logger.warning(
                "shadow rules not loaded; live decisions are unaffected",
                extra={"reason": Reason.SHADOW_RULES_INVALID, "problem": engine.shadow_problem},
            )
        elif engine.shadow is not None:
            logger.info(
                "shadow rules loaded",
                extra={"shadow_rules_digest": engine.shadow.digest, "rules": len(engine.shadow.rules)},
            )
    if tracer is not None:
        _container.traced = tracer.capture_lambda_handler(_decide, capture_response=False, capture_error=False)
    return engine


def current_engine() -> Engine:
    """The container's engine, built on first use from the environment."""
    container = _container
    if container.engine is not None:
        return container.engine
    if container.failure is not None:
        raise container.failure
    try:
        container.engine = _build(read_settings(os.environ))
    except Exception as error:  # noqa: BLE001 - any cold-start surprise is a fault, kept and reported
        fault = error if isinstance(error, AuthorizerFault) else AuthorizerFault(
            f"cold start failed: {type(error).__name__}: {error}"
        )
        container.failure = fault
        logger.error("cold start failed", extra={"reason": fault.reason, "problem": str(fault)})
        raise fault from None
    return container.engine


def _decide(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.perf_counter_ns()
    record = DecisionRecord(decision_id=getattr(context, "aws_request_id", None))
    record.cold_start, _container.cold = _container.cold, False
    try:
        return current_engine().authorize(event, record)
    except InvalidToken as error:
        record.outcome, record.reason = Outcome.UNAUTHORIZED, error.reason
        raise Exception(UNAUTHORIZED) from None
    except AuthorizerFault as fault:
        record.outcome, record.reason = Outcome.ERROR, fault.reason
        raise AuthorizerFailure(f"authorizer fault: {fault.reason}") from None
    except Exception as error:  # noqa: BLE001 - any surprise is a fault, never an Allow
        record.outcome, record.reason = Outcome.ERROR, Reason.INTERNAL_ERROR
        record.extra["error_type"] = type(error).__name__
        raise AuthorizerFailure("authorizer fault: internal_error") from None
    finally:
        record.latency_us = (time.perf_counter_ns() - started) // 1000
        _report(record)


def _report(record: DecisionRecord) -> None:
    """One decision log line, written by the Powertools logger, which also carries the decision's
    EMF metrics (CloudWatch extracts metrics from any line holding an ``_aws`` directive)."""
    fields = record.as_log_fields()
    level = logging.ERROR if record.outcome is Outcome.ERROR else logging.INFO
    metrics = _container.metrics
    emf = None
    if metrics is not None:
        try:
            emf = metrics.decision_document(record)
        except Exception:  # noqa: BLE001 - metrics never change a decision
            logger.warning("metrics not emitted", extra={"reason": Reason.METRICS_FAULT})
    if level >= logger.log_level:
        write = logger.error if level == logging.ERROR else logger.info
        write("decision", extra=fields if emf is None else {**fields, **emf})
    elif emf is not None and metrics is not None:
        metrics.record_decision(record)  # the line is filtered out; keep the metrics
    if not record.shadow_agrees:
        logger.warning(
            "shadow disagreement",
            extra={
                "decision_id": record.decision_id,
                "method": record.method,
                "path": fields.get("path"),
                "client_id": fields.get("client_id"),
                "live_outcome": record.outcome,
                "live_rule_ids": list(record.rule_ids),
                "shadow_outcome": record.shadow_outcome,
                "shadow_rule_ids": list(record.shadow_rule_ids),
            },
        )


def _tracer(settings: Settings) -> Any:
    """Powertools Tracer, imported only when switched on. It patches no library: the one network
    call, the JWKS fetch, gets its own subsegment (:func:`_traced_fetcher`)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=settings.service_name, patch_modules=())


def _traced_fetcher(tracer: Any, settings: Settings) -> Fetcher:
    fetch = make_http_fetcher(settings.jwks.timeout_seconds, settings.jwks.max_bytes)

    def jwks_fetch(url: str) -> bytes:
        return fetch(url)

    return cast(Fetcher, tracer.capture_method(jwks_fetch, capture_response=False))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    traced = _container.traced
    if traced is None and _container.engine is None and _container.failure is None:
        try:
            current_engine()
        except AuthorizerFault:
            pass  # _decide reports it as this invocation's fault
        traced = _container.traced
    return (traced or _decide)(event, context)


def _warm_up_in_lambda() -> None:
    """During Lambda's init phase, build the engine and fetch the keys once (the fetches began with
    init, in :mod:`authorizer.lambda_init`: this waits for what is left of them)."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    try:
        current_engine().jwks.prefetch()
    except AuthorizerFault:
        pass  # reported by current_engine, and again by each invocation
    finally:
        for fetch in lambda_init.take_started_fetches().values():  # no engine took them: never used
            fetch.abandon()


_warm_up_in_lambda()
