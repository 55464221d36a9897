"""Read API Gateway's REST REQUEST authorizer event (pure).

scopegate runs as a REQUEST authorizer in per-route mode (README "Per-route mode"), with the
identity sources ``method.request.header.Authorization``, ``context.httpMethod`` and
``context.resourcePath``: API Gateway caches a policy per token, verb and resource path, so the
authorizer answers with a policy for that route only. Two things come out of the event:

* :func:`authorization_value`: the ``Authorization`` header, its name matched case-insensitively
  in ``headers`` and ``multiValueHeaders`` (either may be null). None is :class:`MissingToken`;
  more than one value, or two maps that disagree, is :class:`MalformedToken` (both 401): a
  request that carries two tokens is refused, never decided on one of them.
* :func:`read_request_route`: the route API Gateway matched, from ``requestContext.httpMethod``
  and ``requestContext.resourcePath`` (the values of the cache key). The methodArn must agree:
  its verb is the route's verb, and its path matches the route's resource path. Otherwise the
  policy could not be right for the cache entry it lands in, so the event is a
  :class:`BadEvent` (500), never an answer.

Header values are client-controlled and never logged or put in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from authorizer.arn import MethodArn
from authorizer.errors import BadEvent, MalformedToken, MissingToken
from authorizer.resource_path import ResourcePath, ResourcePathProblem, parse_resource_path

__all__ = ["AUTHORIZATION", "RequestRoute", "authorization_value", "read_request_route"]

AUTHORIZATION = "authorization"  # the header, lower-cased


class RequestRoute(NamedTuple):
    """The route API Gateway matched for a request: the verb and the resource path."""

    method: str
    resource: ResourcePath


def _values(headers: object, field: str, multi: bool) -> list[str]:
    """The Authorization values in one of the event's header maps (``null`` holds none)."""
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise BadEvent(f"{field} is not an object")
    found: list[str] = []
    for name, value in headers.items():
        if not isinstance(name, str) or name.lower() != AUTHORIZATION or value is None:
            continue
        values = value if multi else [value]
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            raise BadEvent(f"{field} holds an Authorization value that is not a string")
        found.extend(values)
    return found


def authorization_value(event: Mapping[str, Any]) -> str:
    """The one ``Authorization`` value of a REQUEST event; raises MissingToken or MalformedToken."""
    single = _values(event.get("headers"), "headers", multi=False)
    multiple = _values(event.get("multiValueHeaders"), "multiValueHeaders", multi=True)
    if len(single) > 1 or len(multiple) > 1:
        raise MalformedToken("the request has more than one Authorization header")
    if single and multiple and single != multiple:
        raise MalformedToken("headers and multiValueHeaders disagree on the Authorization header")
    values = single or multiple
    if not values:
        raise MissingToken("no Authorization header")
    return values[0]


def read_request_route(event: Mapping[str, Any], method_arn: MethodArn) -> RequestRoute:
    """The route of a REQUEST event, checked against its methodArn; raises BadEvent (500)."""
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        raise BadEvent("REQUEST event has no requestContext")
    try:
        resource = parse_resource_path(context.get("resourcePath"))
    except ResourcePathProblem:
        raise BadEvent("requestContext.resourcePath is not a resource path") from None
    method = context.get("httpMethod")
    if method != method_arn.method:
        raise BadEvent("requestContext.httpMethod is not the methodArn's verb")
    if not resource.matches(method_arn.path):
        raise BadEvent("the methodArn's path does not match requestContext.resourcePath")
    return RequestRoute(method_arn.method, resource)
