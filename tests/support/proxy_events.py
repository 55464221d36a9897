"""REST proxy events for the services, built from the JSON fixtures in tests/events/."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"

# API Gateway resources of the example services (template.yaml), most specific first.
RESOURCES = ("/orders/{id}/refunds", "/orders/{id}", "/orders", "/hello")


@cache
def _fixture(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def authorizer_context(name: str) -> dict[str, Any]:
    """A named ``requestContext.authorizer`` shape from tests/events/authorizer_contexts.json."""
    return copy.deepcopy(_fixture("authorizer_contexts.json")[name])


def _resource(path: str) -> tuple[str, dict[str, str] | None]:
    for resource in RESOURCES:
        pattern = re.escape(resource).replace(re.escape("{id}"), "(?P<id>[^/]+)")
        found = re.fullmatch(pattern, path)
        if found:
            return resource, (found.groupdict() or None)
    return path, None


def proxy_event(
    method: str,
    path: str,
    *,
    authorizer: dict[str, Any] | str | None = "reader",
    body: str | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST proxy event for ``method path``.

    ``authorizer`` is a fixture name, a whole mapping, or ``None`` to drop the key
    (a route deployed without the authorizer).
    """
    event = copy.deepcopy(_fixture("rest_proxy_event.json"))
    resource, parameters = _resource(path)
    event.update(httpMethod=method, path=path, resource=resource, pathParameters=parameters, body=body)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    context = event["requestContext"]
    context.update(httpMethod=method, resourcePath=resource, path=f"/{context['stage']}{path}")
    if authorizer is None:
        del context["authorizer"]
    else:
        context["authorizer"] = authorizer_context(authorizer) if isinstance(authorizer, str) else authorizer
    if body is not None:
        event["headers"]["Content-Type"] = "application/json"
    return event
