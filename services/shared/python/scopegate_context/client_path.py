"""Pure: a path of this API as the client must write it, for links such as ``Location``.

API Gateway (REST) routes on the path below the stage, but the client wrote more in front of it,
and what depends on the URL it called:

==============================================================  ====================  ============================
URL called                                                      ``requestContext``    prefix the client wrote
                                                                ``.path``
==============================================================  ====================  ============================
``https://{api}.execute-api.{region}.amazonaws.com/Dev/orders``  ``/Dev/orders``       ``/Dev`` (the stage)
custom domain, base path mapping ``v1`` -> stage ``Dev``         ``/v1/orders``        ``/v1`` (no stage at all)
custom domain, mapped at its root                               ``/orders``           nothing
==============================================================  ====================  ============================

``requestContext.path`` is the path of the URL the client called ("for a non-proxy request URL of
https://{rest-api-id}.execute-api.{region}.amazonaws.com/{stage}/root/child, the $context.path
value is /{stage}/root/child"), and ``requestContext.resourcePath`` the resource it reached
(``/root/child``): AWS API Gateway developer guide, "API Gateway mapping template and access
logging variable reference" ($context.path, $context.resourcePath). On a custom domain
``requestContext.path`` carries the base path and no stage (observed and published in
https://gist.github.com/GREsau/444c7d4d0bb9e8c82dd1a585931028bd, which also shows the
top-level ``path`` holding the base path there but not the stage on execute-api URLs: neither
``path`` nor ``requestContext.stage`` gives the prefix everywhere).

So the prefix is ``requestContext.path`` less its last segments, as many as the resource has
(``resourcePath`` with ``pathParameters`` counted in: a ``{proxy+}`` spans as many segments as
its value). Counting segments rather than comparing text keeps the answer right however
API Gateway encodes the parameter values; the resource's literal segments are compared, and a
path that does not end with them is refused (:class:`RequestPathError`) rather than guessed at.

The link is a path, not a URL: a client resolves it against the URL it called (RFC 9110
§10.2.2), so it stays right behind a CDN or proxy whose host name the function never sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PARAMETER = re.compile(r"\{([A-Za-z0-9._-]+)\}")
_GREEDY = re.compile(r"\{([A-Za-z0-9._-]+)\+\}")


class RequestPathError(ValueError):
    """The event's paths do not fit together; no link can be built from it (a 500, never a guess).

    ``reason`` is a stable code that is safe to log; the message names keys, not values.
    """

    reason = "unexpected_request_path"


def _segments(path: str) -> list[str]:
    """``/Dev/orders/`` -> ``["Dev", "orders"]``; ``/`` -> ``[]``."""
    inner = path[1:]
    if inner.endswith("/"):
        inner = inner[:-1]
    return inner.split("/") if inner else []


def _path_field(context: Mapping[str, Any], key: str) -> str:
    value = context.get(key)
    if not isinstance(value, str) or not value.startswith("/"):
        raise RequestPathError(f"requestContext.{key} is missing or not a path")
    return value


def _expected_tail(resource: str, parameters: Mapping[str, Any]) -> list[str | None]:
    """The segments the resource spans in the called path: literals, and ``None`` for parameters."""
    expected: list[str | None] = []
    for segment in _segments(resource):
        greedy = _GREEDY.fullmatch(segment)
        if greedy:
            value = parameters.get(greedy.group(1))
            if not isinstance(value, str) or not value:
                raise RequestPathError(f"pathParameters has no value for {{{greedy.group(1)}+}}")
            expected.extend(None for _ in _segments("/" + value))
        elif _PARAMETER.fullmatch(segment):
            expected.append(None)
        else:
            expected.append(segment)
    return expected


def client_base_path(event: Mapping[str, Any]) -> str:
    """What the client wrote in front of this API's paths: ``"/Dev"``, ``"/v1"`` or ``""``.

    Raises
    ------
    RequestPathError
        ``requestContext.path`` or ``resourcePath`` is missing, or the path does not end with
        the resource (e.g. an event built by hand without the stage in ``requestContext.path``).

    Examples
    --------
    >>> event = {"requestContext": {"path": "/Dev/orders/42", "resourcePath": "/orders/{id}"},
    ...          "pathParameters": {"id": "42"}}
    >>> client_base_path(event)
    '/Dev'
    """
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        raise RequestPathError("the event has no requestContext")
    called = _segments(_path_field(context, "path"))
    parameters = event.get("pathParameters") or {}
    if not isinstance(parameters, Mapping):
        raise RequestPathError("pathParameters is not an object")
    expected = _expected_tail(_path_field(context, "resourcePath"), parameters)
    if len(called) < len(expected):
        raise RequestPathError("requestContext.path is shorter than the resource it reached")
    split = len(called) - len(expected)
    for want, got in zip(expected, called[split:]):
        if want is not None and want != got:
            raise RequestPathError("requestContext.path does not end with requestContext.resourcePath")
    return "".join(f"/{segment}" for segment in called[:split])


def client_path(event: Mapping[str, Any], api_path: str) -> str:
    """``api_path`` (a path of this API, e.g. ``/orders/42``) as the client of ``event`` must write it.

    >>> event = {"requestContext": {"path": "/Dev/orders", "resourcePath": "/orders"}}
    >>> client_path(event, "/orders/42")
    '/Dev/orders/42'
    """
    if not api_path.startswith("/"):
        raise ValueError(f"an API path starts with '/': {api_path!r}")
    return client_base_path(event) + api_path
