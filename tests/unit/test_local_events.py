"""local.gateway.events: methodArn, TOKEN event, proxy event and proxy response."""

from __future__ import annotations

from typing import Any

import pytest

from authorizer.arn import parse_method_arn
from local.gateway.events import (
    BadProxyResponse,
    IncomingRequest,
    ProxyResponse,
    method_arn,
    proxy_event,
    read_proxy_response,
    request_event,
    token_event,
)
from authorizer.request_event import authorization_value, read_request_route


def test_method_arn_holds_the_actual_path_and_parses_back() -> None:
    arn = method_arn("a1b2c3", "Dev", "GET", "/orders/42/items")
    assert arn == "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/Dev/GET/orders/42/items"
    parsed = parse_method_arn(arn)
    assert (parsed.api.stage, parsed.method, parsed.path) == ("Dev", "GET", "/orders/42/items")
    assert method_arn("a1b2c3", "Dev", "GET", "/").endswith("/Dev/GET/")


def test_token_event_has_exactly_three_keys() -> None:
    assert token_event("Bearer t", "arn") == {"type": "TOKEN", "authorizationToken": "Bearer t", "methodArn": "arn"}


def test_request_event_is_the_request_without_body_with_type_and_method_arn() -> None:
    request = IncomingRequest(
        "GET", "Dev", "/items/1", [("a", "1")], [("authorization", "Bearer t"), ("X-Y", "z")],
        b"ignored", "127.0.0.1", "rid", 0.0,
    )
    arn = method_arn("a1b2c3", "Dev", "GET", "/items/1")
    event = request_event(request, "/items/{id}", {"id": "1"}, "a1b2c3", arn)
    assert sorted(event) == [
        "headers", "httpMethod", "methodArn", "multiValueHeaders", "multiValueQueryStringParameters", "path",
        "pathParameters", "queryStringParameters", "requestContext", "resource", "stageVariables", "type",
    ]
    assert (event["type"], event["methodArn"], event["resource"]) == ("REQUEST", arn, "/items/{id}")
    assert "authorizer" not in event["requestContext"]
    # AND the authorizer reads it as API Gateway's: the token and a route that agrees with the methodArn
    assert authorization_value(event) == "Bearer t"
    assert read_request_route(event, parse_method_arn(arn)).resource.text == "/items/{id}"


def test_proxy_event_has_single_and_multi_values_and_base64_for_binary() -> None:
    request = IncomingRequest(
        "POST", "Dev", "/items/1", [("a", "1"), ("a", "2")], [("Host", "127.0.0.1:3000"), ("X-Y", "z")],
        b"\xff\x00", "127.0.0.1", "rid", 0.0,
    )
    event = proxy_event(request, "/items/{id}", {"id": "1"}, "abc", {"principalId": "p"})
    assert (event["queryStringParameters"], event["multiValueQueryStringParameters"]) == ({"a": "2"}, {"a": ["1", "2"]})
    assert (event["body"], event["isBase64Encoded"]) == ("/wA=", True)
    assert event["requestContext"]["path"] == "/Dev/items/1"
    assert event["requestContext"]["authorizer"] == {"principalId": "p"}
    assert event["requestContext"]["requestTime"] == "01/Jan/1970:00:00:00 +0000"


def test_proxy_event_paths_have_api_gateways_shape_on_an_execute_api_url() -> None:
    # requestContext.path is the path the client called (stage included), path and resourcePath
    # are below the stage: what scopegate_context.client_path reads to build links
    request = IncomingRequest("GET", "Dev", "/items/1", [], [("Host", "127.0.0.1:3000")], b"", "127.0.0.1", "rid", 0.0)
    event = proxy_event(request, "/items/{id}", {"id": "1"}, "abc", None)
    context = event["requestContext"]
    assert (event["path"], event["resource"], event["pathParameters"]) == ("/items/1", "/items/{id}", {"id": "1"})
    assert (context["path"], context["resourcePath"], context["stage"], context["domainName"]) == (
        "/Dev/items/1", "/items/{id}", "Dev", "127.0.0.1:3000"
    )


def test_read_proxy_response_maps_headers_and_base64_body() -> None:
    response = read_proxy_response(
        {"statusCode": 201, "headers": {"A": 1}, "multiValueHeaders": {"B": ["x", "y"]}, "body": "aGk=", "isBase64Encoded": True}
    )
    assert response == ProxyResponse(201, (("A", "1"), ("B", "x"), ("B", "y")), b"hi")


@pytest.mark.parametrize(
    "output",
    [None, {"statusCode": "abc"}, {"statusCode": 200, "body": {"a": 1}}, {"statusCode": 200, "extra": 1},
     {"statusCode": 200, "headers": {"A": ["x"]}}],
    ids=["none", "bad-status", "body-object", "unknown-key", "header-list"],
)
def test_read_proxy_response_refuses_malformed_answers(output: Any) -> None:
    with pytest.raises(BadProxyResponse):
        read_proxy_response(output)
