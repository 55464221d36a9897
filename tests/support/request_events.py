"""REST REQUEST authorizer events, built from tests/events/rest_request_authorizer_event.json."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"
API_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"


@cache
def _fixture() -> Any:
    return json.loads((EVENTS / "rest_request_authorizer_event.json").read_text(encoding="utf-8"))


def request_event(
    authorization: str | None,
    method: str = "GET",
    path: str = "/orders/42",
    resource: str = "/orders/{id}",
    api_prefix: str = API_PREFIX,
) -> dict[str, Any]:
    """The REQUEST event API Gateway sends for ``method path`` routed to ``resource``.

    ``authorization`` is the whole Authorization value, in both header maps; None leaves the
    header out.
    """
    event = copy.deepcopy(_fixture())
    event.update(methodArn=f"{api_prefix}/{method}{path}", resource=resource, path=path, httpMethod=method)
    event["requestContext"].update(resourcePath=resource, httpMethod=method,
                                   path=f"/{event['requestContext']['stage']}{path}")
    if authorization is None:
        del event["headers"]["Authorization"], event["multiValueHeaders"]["Authorization"]
    else:
        event["headers"]["Authorization"] = authorization
        event["multiValueHeaders"]["Authorization"] = [authorization]
    return event
