"""API Gateway's own answers (gateway responses): defaults, and the template's customisations (pure).

Defaults as the real gateway sends them (docs/reference: apigw-authorizer.md §4). A type listed in
the template's ``GatewayResponses`` replaces the default; an unlisted 4xx/5xx type falls back to
``DEFAULT_4XX``/``DEFAULT_5XX`` when those are listed, keeping its own status code. Customised
bodies render ``$context.error.messageString`` (the message as a JSON string, or ``null``),
``$context.error.message``, ``$context.error.responseType`` and ``$context.requestId``; header
values are static (``"'Bearer'"``) or ``method.request.header.<name>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ResponseType:
    name: str
    status: int
    message: str | None
    error_type: str | None  # x-amzn-ErrorType
    message_key: str = "message"  # the observed defaults of ACCESS_DENIED use "Message"


UNAUTHORIZED = ResponseType("UNAUTHORIZED", 401, "Unauthorized", "UnauthorizedException")
ACCESS_DENIED_EXPLICIT = ResponseType(
    "ACCESS_DENIED",
    403,
    "User is not authorized to access this resource with an explicit deny",
    "AccessDeniedException",
    "Message",
)
ACCESS_DENIED = ResponseType(
    "ACCESS_DENIED", 403, "User is not authorized to access this resource", "AccessDeniedException", "Message"
)
AUTHORIZER_CONFIGURATION_ERROR = ResponseType(
    "AUTHORIZER_CONFIGURATION_ERROR", 500, None, "AuthorizerConfigurationException"
)
AUTHORIZER_FAILURE = ResponseType("AUTHORIZER_FAILURE", 500, None, None)
MISSING_AUTHENTICATION_TOKEN = ResponseType(
    "MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"
)
STAGE_NOT_FOUND = ResponseType("DEFAULT_4XX", 403, "Forbidden", "ForbiddenException")
INTEGRATION_FAILURE = ResponseType(
    "DEFAULT_5XX", 502, "Internal server error", "InternalServerErrorException"
)
INTEGRATION_TIMEOUT = ResponseType("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out", None)

_DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _customisation(responses: Mapping[str, Any], kind: ResponseType) -> Mapping[str, Any] | None:
    if kind.name in responses:
        return responses[kind.name]
    fallback = "DEFAULT_4XX" if kind.status < 500 else "DEFAULT_5XX"
    return responses.get(fallback)


def _header_value(expression: str, request_headers: Mapping[str, str]) -> str | None:
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1]
    prefix = "method.request.header."
    if expression.startswith(prefix):
        wanted = expression[len(prefix):].lower()
        return next((v for k, v in request_headers.items() if k.lower() == wanted), None)
    return None


def _render(template: str, kind: ResponseType, request_id: str) -> str:
    values = {
        "$context.error.messageString": json.dumps(kind.message),
        "$context.error.message": kind.message or "",
        "$context.error.responseType": kind.name,
        "$context.requestId": request_id,
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(values, key=len, reverse=True)))
    return pattern.sub(lambda m: values[m.group(0)], template)


def gateway_answer(
    kind: ResponseType,
    responses: Mapping[str, Any],
    request_id: str,
    request_headers: Mapping[str, str],
) -> HttpAnswer:
    """The HTTP answer for a gateway response type under the template's customisations."""
    headers: list[tuple[str, str]] = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
    if kind.error_type:
        headers.append(("x-amzn-ErrorType", kind.error_type))
    custom = _customisation(responses, kind)
    if custom is None:
        body = json.dumps({kind.message_key: kind.message}, separators=(",", ":"))
        return HttpAnswer(kind.status, tuple(headers), body.encode())
    status = int(custom.get("StatusCode", kind.status)) if kind.name in responses else kind.status
    parameters = (custom.get("ResponseParameters") or {}).get("Headers") or {}
    for name, expression in parameters.items():
        value = _header_value(str(expression), request_headers)
        if value is not None:
            headers.append((str(name), value))
    templates = custom.get("ResponseTemplates") or {}
    template = templates.get("application/json", _DEFAULT_TEMPLATE)
    return HttpAnswer(status, tuple(headers), _render(str(template), kind, request_id).encode())
