"""The local gateway's TOKEN authorizer semantics, over HTTP, with deliberately odd authorizers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from local.gateway.gateway import local_api_id
from tests.support.local_stack import RunningGateway, bearer, gateway_template, http, running_gateway

ROUTES = {"GET /a": "echo", "GET /b": "echo", "GET /secret": "echo", "GET /hello": "hello"}
EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny"}
IMPLICIT_DENY = {"Message": "User is not authorized to access this resource"}
ARN_PREFIX = f"arn:aws:execute-api:us-east-1:123456789012:{local_api_id('Api')}/Dev"

GatewayFactory = Callable[..., AbstractContextManager[RunningGateway]]


@pytest.fixture
def gateway_with(tmp_path: Path) -> Iterator[GatewayFactory]:
    def start(handler: str, ttl: int = 300, routes: Mapping[str, str] = ROUTES, **extra: Any):
        path = tmp_path / "template.yaml"
        path.write_text(gateway_template(handler, ttl, routes, **extra), encoding="utf-8")
        return running_gateway(path)

    yield start


def test_wrong_authorizer_gets_the_cross_route_403_from_the_cache(gateway_with: GatewayFactory) -> None:
    # GIVEN an authorizer that allows only the methodArn of the call it answers, cached 300 s
    with gateway_with("app.own_arn_only", ttl=300) as gw:
        # WHEN one token calls /a, then /b
        first = http("GET", gw.url + "/a", bearer("tok-1"))
        second = http("GET", gw.url + "/b", bearer("tok-1"))
        # THEN /a is allowed, /b is denied from the cached policy without a new invocation
        assert first.status == 200
        assert (second.status, second.json()) == (403, IMPLICIT_DENY)
        assert second.headers["x-amzn-ErrorType"] == "AccessDeniedException"
        assert gw.invocations() == 1
        # AND once the TTL has passed, the authorizer is asked again and /b is allowed
        gw.clock.advance(301)
        assert http("GET", gw.url + "/b", bearer("tok-1")).status == 200
        assert gw.invocations() == 2


def test_wrong_authorizer_without_cache_is_asked_per_request(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.own_arn_only", ttl=0) as gw:
        statuses = [http("GET", gw.url + p, bearer("tok-1")).status for p in ("/a", "/b", "/a")]
        assert (statuses, gw.invocations()) == ([200, 200, 200], 3)


def test_cache_is_keyed_by_token(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.own_arn_only", ttl=300) as gw:
        assert http("GET", gw.url + "/a", bearer("tok-1")).status == 200
        assert http("GET", gw.url + "/b", bearer("tok-2")).status == 200
        assert gw.invocations() == 2


def test_explicit_deny_wins_over_allow(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.deny_secret") as gw:
        denied = http("GET", gw.url + "/secret", bearer("tok"))
        allowed = http("GET", gw.url + "/a", bearer("tok"))
        assert (denied.status, denied.json()) == (403, EXPLICIT_DENY)
        assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
        assert allowed.status == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer a b"}],
    ids=["missing", "empty", "basic-scheme", "space-in-token"],
)
def test_header_failing_validation_expression_is_401_without_invocation(
    gateway_with: GatewayFactory, headers: dict[str, str]
) -> None:
    with gateway_with("app.own_arn_only") as gw:
        answer = http("GET", gw.url + "/a", headers)
        assert (answer.status, answer.json()) == (401, {"message": "Unauthorized"})
        assert answer.headers["x-amzn-ErrorType"] == "UnauthorizedException"
        assert gw.invocations() == 0


@pytest.mark.parametrize("handler", ["app.crash", "app.list_in_context"])
def test_authorizer_fault_is_500_and_not_cached(gateway_with: GatewayFactory, handler: str) -> None:
    with gateway_with(handler, ttl=300) as gw:
        answers = [http("GET", gw.url + "/a", bearer("tok")) for _ in range(2)]
        assert [(a.status, a.body) for a in answers] == [(500, b'{"message":null}')] * 2
        assert answers[0].headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
        assert gw.invocations() == 2


def test_authorizer_past_its_timeout_is_500_without_error_type(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.slow", authorizer_timeout=1) as gw:
        answer = http("GET", gw.url + "/a", bearer("tok"))
        assert (answer.status, answer.body) == (500, b'{"message":null}')
        assert "x-amzn-ErrorType" not in answer.headers


def test_integration_gets_stringified_context_principal_and_actual_path(gateway_with: GatewayFactory) -> None:
    routes = {"GET /items/{id}": "echo", "ANY /files/{proxy+}": "echo"}
    with gateway_with("app.own_arn_only", ttl=0, routes=routes) as gw:
        item = http("GET", gw.url + "/items/42?x=1", bearer("tok")).json()
        files = http("DELETE", gw.url + "/files/a/b.txt", bearer("tok")).json()
    assert item == {
        "authorizer": {
            "count": "1",
            "first_arn": f"{ARN_PREFIX}/GET/items/42",
            "integrationLatency": item["authorizer"]["integrationLatency"],
            "principalId": "own-arn-client",
            "ratio": "0.5",
            "trusted": "true",
        },
        "echo_name": "echo",
        "invocations": 1,
        "path": "/items/42",
        "pathParameters": {"id": "42"},
        "queryStringParameters": {"x": "1"},
        "requestContext.path": "/Dev/items/42",
        "resource": "/items/{id}",
        "token_issuer": None,
    }
    assert isinstance(item["authorizer"]["integrationLatency"], int)
    assert (files["resource"], files["pathParameters"]) == ("/files/{proxy+}", {"proxy": "a/b.txt"})
    assert files["authorizer"]["first_arn"] == f"{ARN_PREFIX}/DELETE/files/a/b.txt"


def test_functions_with_the_same_module_name_run_isolated_and_warm(gateway_with: GatewayFactory) -> None:
    routes = {"GET /echo": "echo-public", "GET /hello": "hello-public"}
    with gateway_with("app.crash", routes=routes) as gw:
        counts = [http("GET", gw.url + "/echo").json()["invocations"] for _ in range(2)]
        hello = http("GET", gw.url + "/hello")
        echo = http("GET", gw.url + "/echo")
        assert counts == [1, 2]
        assert (hello.status, hello.json()) == (200, {"message": "hello world"})
        assert echo.json()["invocations"] == 3
        assert echo.headers["X-Echo"] == "one, two"
        assert gw.invocations() == 0  # public routes never reach the authorizer


def test_unknown_route_and_unknown_stage(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.own_arn_only") as gw:
        missing = http("GET", gw.url + "/nowhere", bearer("tok"))
        wrong_method = http("POST", gw.url + "/a", bearer("tok"))
        stage = http("GET", gw.url.replace("/Dev", "/Prod") + "/a", bearer("tok"))
        assert (missing.status, missing.json()) == (403, {"message": "Missing Authentication Token"})
        assert missing.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert wrong_method.status == 403
        assert (stage.status, stage.json()) == (403, {"message": "Forbidden"})
        assert gw.invocations() == 0


def test_template_gateway_responses_are_honoured_with_default_4xx_as_fallback(gateway_with: GatewayFactory) -> None:
    responses = (
        "      GatewayResponses:\n"
        "        UNAUTHORIZED:\n"
        "          StatusCode: 401\n"
        "          ResponseParameters:\n"
        "            Headers: {WWW-Authenticate: \"'Bearer realm=\\\"scopegate\\\"'\"}\n"
        "        DEFAULT_4XX:\n"
        "          ResponseTemplates:\n"
        "            application/json: '{\"error\":$context.error.messageString,\"type\":\"$context.error.responseType\"}'\n"
    )
    with gateway_with("app.deny_secret", gateway_responses=responses) as gw:
        unauthorized = http("GET", gw.url + "/a")
        denied = http("GET", gw.url + "/secret", bearer("tok"))
    assert unauthorized.status == 401
    assert unauthorized.headers["WWW-Authenticate"] == 'Bearer realm="scopegate"'
    assert json.loads(unauthorized.body) == {"message": "Unauthorized"}  # its own default template
    assert denied.status == 403
    assert json.loads(denied.body) == {
        "error": "User is not authorized to access this resource with an explicit deny",
        "type": "ACCESS_DENIED",
    }
