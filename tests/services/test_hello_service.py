"""services/hello: GET /hello through the service's handler, with authorizer contexts."""

from __future__ import annotations

from types import ModuleType

from tests.support.lambda_context import FakeLambdaContext
from tests.support.proxy_events import proxy_event
from tests.support.services import captured_log, response_json


def test_hello_answers_hello_world_and_logs_the_caller(hello: ModuleType) -> None:
    with captured_log("hello", hello.logger) as log:
        response = hello.lambda_handler(proxy_event("GET", "/hello", authorizer="reader"), FakeLambdaContext())
    assert (response["statusCode"], response_json(response)) == (200, {"message": "hello world"})
    assert [{k: r[k] for k in ("level", "message", "principal_id", "client_id", "scopes")} for r in log.records()] == [
        {"level": "INFO", "message": "hello", "principal_id": "orders-reader@clients", "client_id": "orders-reader",
         "scopes": ["read:hello", "read:orders"]}
    ]


def test_hello_leaves_scopes_to_the_gateway(hello: ModuleType) -> None:
    # GIVEN a caller the gateway let through without read:hello (rules.yaml granted it otherwise)
    response = hello.lambda_handler(proxy_event("GET", "/hello", authorizer="admin"), None)
    # THEN hello answers: its only gate is the gateway's policy (orders shows the re-checks)
    assert (response["statusCode"], response_json(response)) == (200, {"message": "hello world"})


def test_hello_without_authorizer_context_answers_500(hello: ModuleType) -> None:
    response = hello.lambda_handler(proxy_event("GET", "/hello", authorizer=None), None)
    assert (response["statusCode"], response_json(response)["error"]) == (500, "server_error")
