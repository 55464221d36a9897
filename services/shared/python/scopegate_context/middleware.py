"""Powertools event handler integration: the principal of the current request and scope re-checks.

Use with :class:`aws_lambda_powertools.event_handler.APIGatewayRestResolver`::

    app = APIGatewayRestResolver()
    # every route: a principal (else 500), and the scopes its scopes.toml declares (else 403)
    app.use(middlewares=[require_declared_scopes(Path(__file__).parent)])

    @app.post("/orders")
    def create_order():
        principal = current_principal(app)             # typed, never a KeyError
        ...

A missing or malformed authorizer context, or a route the service's scopes.toml does not
declare, answers 500 (a deployment fault on our side, and nothing of the route runs) with one
error log line; a principal that lacks a route's scopes answers exactly what API Gateway answers
(403, ``WWW-Authenticate: Bearer realm="scopegate", error="insufficient_scope"``, the body of
template.yaml's ACCESS_DENIED) with one warning log line naming the route and its requirement.
Every line names the reason, the method and the path; none holds the event, a header or a token.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware

from scopegate_context.principal import AuthorizerContextError, Principal, principal_from_event
from scopegate_context.requirement import (
    INSUFFICIENT_SCOPE_BODY,
    INSUFFICIENT_SCOPE_CHALLENGE,
    INSUFFICIENT_SCOPE_CONTENT_TYPE,
    INSUFFICIENT_SCOPE_STATUS,
)
from scopegate_context.route_scopes import DeclaredScopes, load_declared_scopes

PRINCIPAL_KEY = "scopegate_principal"  # where the principal is kept in app.context for one request
JSON = "application/json"
SERVER_ERROR_BODY = {"statusCode": 500, "error": "server_error", "message": "Internal server error"}


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
    return Response(status_code=500, content_type=JSON, body=json.dumps(SERVER_ERROR_BODY))


def require_principal(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Middleware: run the route only for a request that carries a principal (else 500)."""
    try:
        current_principal(app)
    except AuthorizerContextError as error:
        return context_error_response(app, error)
    return next_middleware(app)


class DeclaredScopeCheck(BaseMiddlewareHandler):
    """Middleware: re-check each route as the service's scopes.toml declares (defence in depth).

    Runs for every route of the resolver (``app.use``). A request on a route the file does not
    declare fails closed (500): ``python -m scopegate_tools check`` reports such a route before deploy.
    """

    def __init__(self, declared: DeclaredScopes) -> None:
        super().__init__()
        self.declared = declared

    def handler(self, app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        try:
            principal = current_principal(app)
        except AuthorizerContextError as error:
            return context_error_response(app, error)
        event = app.current_event
        route = self.declared.for_request(event.http_method, event.resource)
        if route is None:
            helper_logger().error(
                "the route is not declared in scopes.toml; request refused",
                extra={"reason": "undeclared_route", "scopes_file": self.declared.source, **_request_fields(app)},
            )
            return Response(status_code=500, content_type=JSON, body=json.dumps(SERVER_ERROR_BODY))
        if route.satisfied_by(principal.scopes):
            return next_middleware(app)
        helper_logger().warning(
            "scope re-check refused a request the gateway let through",
            extra={
                "reason": "insufficient_scope",
                "route": route.route,
                "requirement": route.describe(),
                "client_id": principal.client_id,
                "principal_id": principal.principal_id,
                "rules_digest": principal.rules_digest,
                **_request_fields(app),
            },
        )
        return insufficient_scope_response()

    def __repr__(self) -> str:
        return f"DeclaredScopeCheck({self.declared.source})"


def insufficient_scope_response() -> Response:
    """The 403 API Gateway answers a token without the scope (template.yaml ACCESS_DENIED), byte for byte."""
    return Response(
        status_code=INSUFFICIENT_SCOPE_STATUS,
        content_type=INSUFFICIENT_SCOPE_CONTENT_TYPE,
        body=INSUFFICIENT_SCOPE_BODY,
        headers={"WWW-Authenticate": INSUFFICIENT_SCOPE_CHALLENGE},
    )


def require_declared_scopes(service_folder: str | Path) -> DeclaredScopeCheck:
    """Middleware re-checking every route as ``<service_folder>/scopes.toml`` declares.

    Reads the file now, so a missing or broken file fails the service when it loads
    (:class:`~scopegate_context.route_scopes.ScopesFileError` names the file, the route and the fix)::

        app.use(middlewares=[require_declared_scopes(Path(__file__).parent)])
    """
    return DeclaredScopeCheck(load_declared_scopes(service_folder))
