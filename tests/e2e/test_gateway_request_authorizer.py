"""The local gateway's REQUEST authorizer (per-route mode), over HTTP, with test-only authorizers.

The test template is the one of test_gateway_authorizer.py, started with AuthorizerMode=REQUEST:
identity sources ``method.request.header.Authorization``, ``context.httpMethod`` and
``context.resourcePath``, so API Gateway's cache key is the token, the method and the resource path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from local.gateway.gateway import local_api_id
from tests.support.local_stack import RunningGateway, bearer, gateway_template, http, running_gateway

ROUTES = {"GET /items/{id}": "echo", "GET /items": "echo", "DELETE /items/{id}": "echo", "ANY /files/{proxy+}": "echo"}
ARN_PREFIX = f"arn:aws:execute-api:us-east-1:123456789012:{local_api_id('Api')}/Dev"
REQUEST = {"AuthorizerMode": "REQUEST"}

GatewayFactory = Callable[..., AbstractContextManager[RunningGateway]]


@pytest.fixture
def gateway_with(tmp_path: Path) -> Iterator[GatewayFactory]:
    def start(handler: str, ttl: int = 300, routes: Mapping[str, str] = ROUTES, **extra: Any):
        path = tmp_path / "template.yaml"
        path.write_text(gateway_template(handler, ttl, routes, **extra), encoding="utf-8")
        return running_gateway(path, REQUEST)

    yield start


def test_the_authorizer_gets_api_gateways_request_event(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.describe_event") as gw:
        answer = http("GET", gw.url + "/items/42?x=1", {**bearer("tok"), "X-Trace": "t"}).json()
    context = answer["authorizer"]
    assert context["type"] == "REQUEST"
    assert context["keys"] == (
        "headers httpMethod methodArn multiValueHeaders multiValueQueryStringParameters path pathParameters "
        "queryStringParameters requestContext resource stageVariables type"
    )
    assert (context["resource"], context["path"], context["pathParameters"]) == ("/items/{id}", "/items/42", "{'id': '42'}")
    assert (context["context_resource_path"], context["context_http_method"]) == ("/items/{id}", "GET")
    assert "Authorization" in context["header_names"].split() and "X-Trace" in context["header_names"].split()


def test_the_cache_is_keyed_by_token_method_and_resource_path(gateway_with: GatewayFactory) -> None:
    # GIVEN the classic mistake (allow only the methodArn the policy was built for), cached 300 s
    with gateway_with("app.own_arn_only") as gw:
        # WHEN one token calls two paths of one resource path
        first = http("GET", gw.url + "/items/1", bearer("tok-1"))
        second = http("GET", gw.url + "/items/2", bearer("tok-1"))
        # THEN the second is answered from the cache (the same key), so the policy is reused: 403
        assert (first.status, second.status, gw.invocations()) == (200, 403, 1)
        # AND another resource path, another method or another token is another key: invoked
        assert http("GET", gw.url + "/items", bearer("tok-1")).status == 200
        assert http("DELETE", gw.url + "/items/1", bearer("tok-1")).status == 200
        assert http("GET", gw.url + "/items/2", bearer("tok-2")).status == 200
        assert gw.invocations() == 4
        # AND the TTL ends the entry
        gw.clock.advance(301)
        assert http("GET", gw.url + "/items/2", bearer("tok-1")).status == 200
        assert gw.invocations() == 5


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}], ids=["missing", "empty"])
def test_a_missing_identity_source_is_401_without_invocation_when_caching(
    gateway_with: GatewayFactory, headers: dict[str, str]
) -> None:
    with gateway_with("app.own_arn_only") as gw:
        answer = http("GET", gw.url + "/items/1", headers)
        assert (answer.status, answer.json()) == (401, {"message": "Unauthorized"})
        assert gw.invocations() == 0


def test_without_caching_the_authorizer_is_asked_even_without_the_header(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.describe_event", ttl=0) as gw:
        answer = http("GET", gw.url + "/items/1")
        assert answer.status == 200
        assert gw.invocations() == 1


def test_a_request_authorizer_is_not_held_to_the_validation_expression(gateway_with: GatewayFactory) -> None:
    # ValidationExpression applies to TOKEN authorizers only: the authorizer decides
    with gateway_with("app.describe_event") as gw:
        assert http("GET", gw.url + "/items/1", {"Authorization": "Basic abc"}).status == 200
        assert gw.invocations() == 1


def test_a_greedy_resource_shares_one_entry_across_depths(gateway_with: GatewayFactory) -> None:
    with gateway_with("app.describe_event") as gw:
        statuses = [http("PUT", gw.url + path, bearer("tok")).status for path in ("/files/a", "/files/a/b/c")]
        assert (statuses, gw.invocations()) == ([200, 200], 1)


def test_an_identity_source_the_gateway_cannot_read_is_refused_at_load(tmp_path: Path) -> None:
    from scopegate_tools.sam_template import TemplateError

    path = tmp_path / "template.yaml"
    path.write_text(gateway_template("app.own_arn_only", 300, ROUTES).replace(
        "Context: [httpMethod, resourcePath]", "Context: [httpMethod, identity.sourceIp]"
    ), encoding="utf-8")
    with pytest.raises(TemplateError, match="identity source 'context.identity.sourceIp' of TestAuthorizer"):
        with running_gateway(path, REQUEST):
            pass
