"""authorizer.request_event: the token and the route of a REST REQUEST authorizer event."""

from __future__ import annotations

from typing import Any

import pytest

from authorizer import errors
from authorizer.arn import parse_method_arn
from authorizer.request_event import RequestRoute, authorization_value, read_request_route
from authorizer.resource_path import parse_resource_path
from tests.support.request_events import API_PREFIX, request_event


# --- the Authorization header -------------------------------------------------------------------


def test_the_fixture_event_gives_its_authorization_value() -> None:
    assert authorization_value(request_event("Bearer abc")) == "Bearer abc"


@pytest.mark.parametrize("name", ["authorization", "AUTHORIZATION", "aUtHoRiZaTiOn"])
def test_the_header_name_is_matched_in_any_case(name: str) -> None:
    event = request_event(None)
    event["headers"][name] = "Bearer abc"
    event["multiValueHeaders"][name] = ["Bearer abc"]
    assert authorization_value(event) == "Bearer abc"


@pytest.mark.parametrize(
    ("headers", "multi"),
    [({"authorization": "Bearer abc"}, None), (None, {"Authorization": ["Bearer abc"]})],
    ids=["headers-only", "multi-value-only"],
)
def test_either_header_map_may_be_null(headers: Any, multi: Any) -> None:
    event = {**request_event(None), "headers": headers, "multiValueHeaders": multi}
    assert authorization_value(event) == "Bearer abc"


@pytest.mark.parametrize(
    ("headers", "multi"),
    [(None, None), ({}, {}), ({"Accept": "*/*"}, {"Accept": ["*/*"]}), ({"Authorization": None}, None)],
    ids=["both-null", "both-empty", "other-headers-only", "null-value"],
)
def test_no_authorization_header_is_a_missing_token(headers: Any, multi: Any) -> None:
    event = {**request_event(None), "headers": headers, "multiValueHeaders": multi}
    with pytest.raises(errors.MissingToken):
        authorization_value(event)


@pytest.mark.parametrize(
    ("headers", "multi"),
    [
        ({"Authorization": "Bearer a"}, {"Authorization": ["Bearer a", "Bearer b"]}),
        ({"Authorization": "Bearer a"}, {"Authorization": ["Bearer a", "Bearer a"]}),
        ({"Authorization": "Bearer a", "authorization": "Bearer b"}, None),
        (None, {"Authorization": ["Bearer a"], "authorization": ["Bearer b"]}),
        ({"Authorization": "Bearer a"}, {"Authorization": ["Bearer b"]}),
    ],
    ids=["two-values", "the-same-value-twice", "two-names-in-headers", "two-names-in-multi", "maps-disagree"],
)
def test_more_than_one_authorization_value_is_refused_as_malformed(headers: Any, multi: Any) -> None:
    event = {**request_event(None), "headers": headers, "multiValueHeaders": multi}
    with pytest.raises(errors.MalformedToken) as raised:
        authorization_value(event)
    assert raised.value.reason == "malformed_token"
    assert "Bearer" not in str(raised.value)  # no header value in a message


@pytest.mark.parametrize(
    ("headers", "multi"),
    [("Bearer a", None), (None, ["Bearer a"]), ({"Authorization": 7}, None), (None, {"Authorization": "Bearer a"})],
    ids=["headers-not-a-map", "multi-not-a-map", "value-not-a-string", "multi-value-not-a-list"],
)
def test_header_maps_of_the_wrong_shape_are_a_bad_event(headers: Any, multi: Any) -> None:
    event = {**request_event(None), "headers": headers, "multiValueHeaders": multi}
    with pytest.raises(errors.BadEvent):
        authorization_value(event)


# --- the route ----------------------------------------------------------------------------------


def route_of(event: dict[str, Any]) -> RequestRoute:
    return read_request_route(event, parse_method_arn(event["methodArn"]))


@pytest.mark.parametrize(
    ("method", "path", "resource"),
    [("GET", "/orders/42", "/orders/{id}"), ("POST", "/orders", "/orders"), ("GET", "/", "/"),
     ("DELETE", "/files/a/b/c", "/files/{path+}"), ("GET", "/orders/", "/orders")],
)
def test_the_route_is_the_verb_and_resource_path_of_the_request_context(method: str, path: str, resource: str) -> None:
    route = route_of(request_event("Bearer abc", method, path, resource))
    assert route == RequestRoute(method, parse_resource_path(resource))


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.pop("requestContext"),
        lambda e: e["requestContext"].pop("resourcePath"),
        lambda e: e["requestContext"].update(resourcePath="/orders/{id}/{rest+}/x"),
        lambda e: e["requestContext"].update(resourcePath="orders"),
        lambda e: e["requestContext"].update(httpMethod="POST"),  # the methodArn says GET
        lambda e: e["requestContext"].pop("httpMethod"),
        lambda e: e["requestContext"].update(resourcePath="/customers/{id}"),  # the path is /orders/42
        lambda e: e["requestContext"].update(resourcePath="/orders"),
        lambda e: e.update(methodArn=f"{API_PREFIX}/GET/orders/42/items"),  # {id} holds no '/'
    ],
    ids=["no-context", "no-resource-path", "greedy-not-last", "not-a-path", "other-verb", "no-verb",
         "other-resource", "shorter-resource", "arn-path-outside-resource"],
)
def test_a_route_that_disagrees_with_the_method_arn_is_a_bad_event(change: Any) -> None:
    event = request_event("Bearer abc")
    change(event)
    with pytest.raises(errors.BadEvent) as raised:
        route_of(event)
    assert raised.value.reason == "bad_event"
