"""Powertools event handler integration: the principal of the current request and scope re-checks.

Use with :class:`aws_lambda_powertools.event_handler.APIGatewayRestResolver`::

    app = APIGatewayRestResolver()
    app.use(middlewares=[require_principal])          # every route: a principal, or 500

    @app.post("/orders", middlewares=[require_scopes("write:orders")])
    def create_order():
        principal = current_principal(app)             # typed, never a KeyError
        ...

A missing or malformed authorizer context answers 500 (a deployment fault on our
side, and nothing of the route runs) with one error log line; a principal that
lacks a route's scopes answers 403 with ``WWW-Authenticate: Bearer
error="insufficient_scope", scope="..."`` (RFC 6750 §3.1) and one warning log
line. Both lines name the reason, the method and the path; neither holds the
event, a header or a token.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware

from scopegate_context.principal import AuthorizerContextError, Principal, principal_from_event
from scopegate_context.requirement import (
    Match,
    ScopeRequirement,
    insufficient_scope_body,
    www_authenticate,
)

PRINCIPAL_KEY = "scopegate_principal"  # where the principal is kept in app.context for one request
JSON = "application/json"


def helper_logger() -> logging.Logger:
    """The service's Powertools logger's child (JSON lines, the service's level and keys).

    Resolved at call time from ``POWERTOOLS_SERVICE_NAME`` as Powertools does for
    ``Logger(child=True)``, so one copy of this package serves every service.
    """
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or "service_undefined"
    return logging.getLogger(f"{service}.scopegate_context")


def _request_fields(app: APIGatewayRestResolver) -> dict[str, Any]:
    event = app.current_event
    return {"method": event.http_method, "path": event.path, "resource": event.resource}


def current_principal(app: APIGatewayRestResolver) -> Principal:
    """The principal of the request ``app`` is resolving (parsed once per request).

    Raises
    ------
    AuthorizerContextError
        The event carries no usable authorizer context. Routes behind
        :func:`require_principal` or a scope requirement never see this.
    """
    kept = app.context.get(PRINCIPAL_KEY)
    if isinstance(kept, Principal):
        return kept
    principal = principal_from_event(app.current_event.raw_event)
    app.append_context(**{PRINCIPAL_KEY: principal})
    return principal


def context_error_response(app: APIGatewayRestResolver, error: AuthorizerContextError) -> Response:
    """Log the fault and answer 500: the request fails closed and nothing of the route runs."""
    helper_logger().error(
        "no usable authorizer context; request refused",
        extra={"reason": error.reason, "problem": str(error), **_request_fields(app)},
    )
    body = {"statusCode": 500, "error": "server_error", "message": "Internal server error"}
    return Response(status_code=500, content_type=JSON, body=json.dumps(body))


def require_principal(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Middleware: run the route only for a request that carries a principal (else 500)."""
    try:
        current_principal(app)
    except AuthorizerContextError as error:
        return context_error_response(app, error)
    return next_middleware(app)


class ScopeCheck(BaseMiddlewareHandler):
    """Middleware: re-check a :class:`ScopeRequirement` (defence in depth behind the authorizer)."""

    def __init__(self, requirement: ScopeRequirement) -> None:
        super().__init__()
        self.requirement = requirement

    def handler(self, app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        try:
            principal = current_principal(app)
        except AuthorizerContextError as error:
            return context_error_response(app, error)
        if self.requirement.satisfied_by(principal.scopes):
            return next_middleware(app)
        helper_logger().warning(
            "scope re-check refused a request the gateway let through",
            extra={
                "reason": "insufficient_scope",
                "required_scopes": list(self.requirement.scopes),
                "match": self.requirement.match,
                "client_id": principal.client_id,
                "principal_id": principal.principal_id,
                "rules_digest": principal.rules_digest,
                **_request_fields(app),
            },
        )
        return Response(
            status_code=403,
            content_type=JSON,
            body=json.dumps(insufficient_scope_body(self.requirement)),
            headers={"WWW-Authenticate": www_authenticate(self.requirement)},
        )

    def __repr__(self) -> str:
        return f"ScopeCheck({self.requirement.match}: {self.requirement.scope_text})"


def _check(scopes: tuple[str, ...], match: Match) -> ScopeCheck:
    return ScopeCheck(ScopeRequirement(scopes=scopes, match=match))


def require_scopes(*scopes: str) -> ScopeCheck:
    """Middleware that answers 403 unless the caller holds every one of ``scopes``."""
    return _check(scopes, "all")


def require_any_scope(*scopes: str) -> ScopeCheck:
    """Middleware that answers 403 unless the caller holds at least one of ``scopes``."""
    return _check(scopes, "any")
