"""scopegate_context.client_path: the prefix the client wrote in front of the API's paths."""

from __future__ import annotations

from typing import Any

import pytest
from scopegate_context import RequestPathError, client_base_path, client_path


def event(path: str, resource: str, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    return {"requestContext": {"path": path, "resourcePath": resource, "stage": "Dev"}, "pathParameters": parameters}


PREFIXES = [
    pytest.param(event("/Dev/orders", "/orders"), "/Dev", id="execute-api URL: the stage"),
    pytest.param(event("/orders", "/orders"), "", id="custom domain at its root: nothing, though the stage is Dev"),
    pytest.param(event("/v1/orders", "/orders"), "/v1", id="custom domain, base path v1"),
    pytest.param(event("/shop/v2/orders", "/orders"), "/shop/v2", id="multi-level base path"),
    pytest.param(event("/Dev/orders/", "/orders"), "/Dev", id="trailing slash"),
    pytest.param(event("/Dev/orders/42/refunds", "/orders/{id}/refunds", {"id": "42"}), "/Dev", id="parameter"),
    pytest.param(event("/Dev/orders/a%2Fb", "/orders/{id}", {"id": "a/b"}), "/Dev", id="encoded parameter counts as one segment"),
    pytest.param(event("/Dev/files/a/b/c", "/files/{proxy+}", {"proxy": "a/b/c"}), "/Dev", id="greedy parameter spans its segments"),
    pytest.param(event("/Dev/", "/"), "/Dev", id="root resource"),
    pytest.param(event("/", "/"), "", id="root resource at a domain's root"),
]


@pytest.mark.parametrize(("given", "prefix"), PREFIXES)
def test_client_base_path_is_the_called_path_less_the_resource(given: dict[str, Any], prefix: str) -> None:
    assert client_base_path(given) == prefix


def test_client_path_puts_the_prefix_in_front_of_an_api_path() -> None:
    assert client_path(event("/Dev/orders", "/orders"), "/orders/abc") == "/Dev/orders/abc"
    assert client_path(event("/orders", "/orders"), "/orders/abc") == "/orders/abc"
    with pytest.raises(ValueError, match="an API path starts with '/'"):
        client_path(event("/Dev/orders", "/orders"), "orders/abc")


REFUSED = [
    pytest.param({}, "the event has no requestContext", id="no requestContext"),
    pytest.param({"requestContext": {"resourcePath": "/orders"}}, "requestContext.path is missing or not a path", id="no path"),
    pytest.param({"requestContext": {"path": "/Dev/orders"}}, "requestContext.resourcePath is missing", id="no resourcePath"),
    pytest.param(event("/Dev/elsewhere", "/orders"), "does not end with requestContext.resourcePath", id="other path"),
    pytest.param(event("/Dev", "/orders/{id}", {"id": "1"}), "shorter than the resource", id="too short"),
    pytest.param(event("/Dev/files/a", "/files/{proxy+}", {}), "pathParameters has no value for {proxy+}", id="greedy without value"),
]


@pytest.mark.parametrize(("given", "message"), REFUSED)
def test_paths_that_do_not_fit_together_are_refused_not_guessed(given: dict[str, Any], message: str) -> None:
    with pytest.raises(RequestPathError, match=message.replace("{", r"\{").replace("}", r"\}").replace("+", r"\+")) as raised:
        client_base_path(given)
    assert raised.value.reason == "unexpected_request_path"
