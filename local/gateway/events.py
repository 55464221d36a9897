"""The events API Gateway (REST) sends to Lambda, and the proxy response it reads back (pure).

* the TOKEN authorizer event ``{type, authorizationToken, methodArn}``, where methodArn holds the
  actual request path (path parameters substituted) after the upper-case verb;
* the REQUEST authorizer event: the same methodArn, and the request as the proxy event carries it
  (``resource``, ``path``, ``httpMethod``, both header and query maps, ``pathParameters``,
  ``stageVariables``, ``requestContext`` without ``authorizer``), without the body;
* the Lambda proxy (payload 1.0) event, with ``requestContext.authorizer``;
* :func:`read_proxy_response`: ``statusCode``/``headers``/``multiValueHeaders``/``body``/
  ``isBase64Encoded`` back to HTTP; anything else is :class:`BadProxyResponse` (502).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """An HTTP request as the gateway received it, split at the stage."""

    method: str
    stage: str
    path: str  # below the stage, decoded, starts with "/"
    query: Sequence[tuple[str, str]]
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str
    received_at: float  # epoch seconds


class BadProxyResponse(ValueError):
    """The integration's answer is not a valid Lambda proxy response (502)."""


def method_arn(api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{LOCAL_REGION}:{LOCAL_ACCOUNT}:{api_id}/{stage}/{method}{path}"


def token_event(token: str, arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def request_event(
    request: IncomingRequest, resource: str, path_parameters: Mapping[str, str], api_id: str, arn: str
) -> dict[str, Any]:
    event = proxy_event(request, resource, path_parameters, api_id, None)
    for key in ("body", "isBase64Encoded"):
        del event[key]
    del event["requestContext"]["authorizer"]
    return {"type": "REQUEST", "methodArn": arn, **event}


def _single_and_multi(pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not pairs:
        return None, None
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return {name: values[-1] for name, values in multi.items()}, multi


def proxy_event(
    request: IncomingRequest,
    resource: str,
    path_parameters: Mapping[str, str],
    api_id: str,
    authorizer: Mapping[str, Any] | None,
) -> dict[str, Any]:
    headers, multi_headers = _single_and_multi(request.headers)
    query, multi_query = _single_and_multi(request.query)
    try:
        body: str | None = request.body.decode("utf-8") if request.body else None
        encoded = False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(request.body).decode("ascii"), True
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    epoch_ms = int(request.received_at * 1000)
    return {
        "resource": resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": request.request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(request.received_at)),
            "path": f"/{request.stage}{request.path}",
            "accountId": LOCAL_ACCOUNT,
            "protocol": "HTTP/1.1",
            "stage": request.stage,
            "domainPrefix": "127",
            "requestTimeEpoch": epoch_ms,
            "requestId": request.request_id,
            "identity": {"sourceIp": request.source_ip, "userAgent": lower.get("user-agent")},
            "domainName": lower.get("host", "127.0.0.1"),
            "apiId": api_id,
            "authorizer": dict(authorizer) if authorizer is not None else None,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


@dataclass(frozen=True, slots=True)
class ProxyResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise BadProxyResponse("header values must be strings, numbers or booleans")


def read_proxy_response(output: Any) -> ProxyResponse:
    if not isinstance(output, Mapping):
        raise BadProxyResponse("the function did not return an object")
    unknown = set(output) - {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
    if unknown:
        raise BadProxyResponse(f"unexpected keys {sorted(unknown)}")
    status = output.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise BadProxyResponse("statusCode is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, value in (output.get("headers") or {}).items():
        headers.append((str(name), _scalar(value)))
    for name, values in (output.get("multiValueHeaders") or {}).items():
        if not isinstance(values, list):
            raise BadProxyResponse("multiValueHeaders values must be lists")
        headers.extend((str(name), _scalar(value)) for value in values)
    body = output.get("body")
    if body is not None and not isinstance(body, str):
        raise BadProxyResponse("body is not a string")
    data = (body or "").encode("utf-8")
    if output.get("isBase64Encoded") is True and body:
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadProxyResponse("body is not valid base64") from None
    return ProxyResponse(status, tuple(headers), data)
