"""Per-route mode end to end over HTTP: issuer token -> local gateway (REQUEST authorizer) -> scopegate.

Two stacks, both started with ``AuthorizerMode=REQUEST``: the shipped template.yaml with its rules
and services, and a test template whose routes share paths and prefixes (parameters at several
depths, a greedy route, a deny rule below it), where every answer is checked against the rules'
own decision (``RuleSet.decide``). The gateway caches by token, method and resource path, so the
same token on two paths of one resource path invokes the authorizer once, on two resource paths
twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from authorizer.caller import Caller
from authorizer.rules import compile_rules
from local.gateway.result_cache import ManualClock
from local.stack import Stack, StackConfig
from tests.support.issuer_client import token_for
from tests.support.local_stack import REPO_ROOT, bearer, gateway_template, http

REQUEST_MODE = {"AuthorizerMode": "REQUEST"}
INVALID_TOKEN = (401, b'{"message":"Unauthorized","error":"invalid_token"}')
INSUFFICIENT_SCOPE = (403, b'{"message":"Forbidden","error":"insufficient_scope"}')


def invocations(stack: Stack) -> int:
    return stack.gateway.functions.invocations["AuthorizerFunction"]


@pytest.fixture
def shipped_stack() -> Iterator[Stack]:
    """template.yaml, policies/rules.yaml and local/clients.yaml, as `make run ARGS=...` starts them."""
    config = StackConfig(gateway_port=0, issuer_port=0, dynamodb_port=0, parameter_overrides=REQUEST_MODE)
    running = Stack(config, clock=ManualClock()).start()
    try:
        yield running
    finally:
        running.stop()


def test_the_shipped_template_in_request_mode_allows_denies_and_refuses(shipped_stack: Stack) -> None:
    url = shipped_stack.gateway_url
    reader, writer = token_for(shipped_stack.issuer_url, "demo-reader"), token_for(shipped_stack.issuer_url, "demo-writer")
    hello = http("GET", url + "/hello", bearer(reader))
    assert (hello.status, hello.json()) == (200, {"message": "hello world"})
    denied = http("GET", url + "/hello", bearer(writer))
    assert (denied.status, denied.body) == INSUFFICIENT_SCOPE
    assert invocations(shipped_stack) == 2
    # a missing header: API Gateway answers 401 without invoking (an identity source is missing)
    missing = http("GET", url + "/hello")
    assert (missing.status, missing.body) == INVALID_TOKEN
    # a malformed one reaches the authorizer (no ValidationExpression for REQUEST), which answers 401
    malformed = http("GET", url + "/hello", {"Authorization": "Basic dXNlcjpwdw=="})
    assert (malformed.status, malformed.body) == INVALID_TOKEN
    assert invocations(shipped_stack) == 3


def test_the_shipped_orders_routes_are_cached_per_resource_path(shipped_stack: Stack) -> None:
    url = shipped_stack.gateway_url
    reader = token_for(shipped_stack.issuer_url, "orders-reader")  # read:hello read:orders
    # one resource path, two orders: one invocation (the service answers 404: the authorizer let it through)
    first, second = (http("GET", f"{url}/orders/{n}", bearer(reader)) for n in ("o-1", "o-2"))
    assert (first.status, second.status, invocations(shipped_stack)) == (404, 404, 1)
    # another resource path, and another method on the same one: one invocation each, each decided right
    assert http("GET", url + "/orders", bearer(reader)).status == 200
    deleted = http("DELETE", f"{url}/orders/o-1", bearer(reader))  # needs write:orders or admin
    assert (deleted.status, deleted.body) == INSUFFICIENT_SCOPE
    refund = http("POST", f"{url}/orders/o-1/refunds", bearer(reader), b"{}")
    assert (refund.status, refund.body) == INSUFFICIENT_SCOPE
    assert invocations(shipped_stack) == 4
    # and the cached denial holds for another order of the same route, without an invocation
    assert http("DELETE", f"{url}/orders/o-2", bearer(reader)).body == INSUFFICIENT_SCOPE[1]
    assert invocations(shipped_stack) == 4


# --- a denser API: every answer against the rules' own decision ---------------------------------

RULES = """\
version: 1
rules:
  - route: GET /items/*
    scopes: [read:orders]
  - route: GET /items/*/secret
    scopes: [admin]
  - route: DELETE /items/{id}
    scopes: [write:orders]
  - route: "* /files/*"
    authenticated: true
  - route: "* /files/private/*"
    deny: true
  - route: GET /hello
    scopes: [read:hello]
"""
ROUTES = {
    "GET /items/{id}": "echo", "GET /items/{id}/secret": "echo", "DELETE /items/{id}": "echo",
    "GET /files/{proxy+}": "echo", "PUT /files/{proxy+}": "echo", "GET /hello": "hello",
}
CLIENTS = {  # local/clients.yaml
    "demo-reader": frozenset({"read:hello"}),
    "orders-reader": frozenset({"read:hello", "read:orders"}),
    "orders-writer": frozenset({"read:hello", "read:orders", "write:orders"}),
    "orders-admin": frozenset({"admin", "refund:orders"}),
}
REQUESTS = [
    ("GET", "/items/1"), ("GET", "/items/2"), ("GET", "/items/1/secret"), ("GET", "/items/2/secret"),
    ("DELETE", "/items/1"), ("DELETE", "/items/2"), ("GET", "/files/a"), ("GET", "/files/a/b/c"),
    ("GET", "/files/private/x"), ("GET", "/files/private/x/y"), ("PUT", "/files/private"),
    ("PUT", "/files/private/z"), ("GET", "/hello"), ("GET", "/items/1/"), ("GET", "/files/a/"),
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def dense_stack(tmp_path: Path, clock: ManualClock) -> Iterator[Stack]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(gateway_template(
        "authorizer.app.lambda_handler", 300, ROUTES, authorizer_code_uri=REPO_ROOT,
        authorizer_env={"RULES_FILE": str(rules)},
    ), encoding="utf-8")
    config = StackConfig(template=template, rules=rules, gateway_port=0, issuer_port=0, dynamodb_port=0,
                         parameter_overrides=REQUEST_MODE, watch=False)
    running = Stack(config, clock=clock).start()
    try:
        yield running
    finally:
        running.stop()


def test_every_answer_is_the_rules_decision_with_one_invocation_per_route(dense_stack: Stack) -> None:
    # GIVEN four clients, each sending every request twice (the second round from the cache)
    oracle = compile_rules(RULES, "rules.yaml")
    wrong = []
    for client, granted in CLIENTS.items():
        token = token_for(dense_stack.issuer_url, client)
        before = invocations(dense_stack)
        for method, path in REQUESTS * 2:
            status = http(method, dense_stack.gateway_url + path, bearer(token)).status
            expected = 200 if oracle.decide(method, path, Caller.holding(granted)).allowed else 403
            if status != expected:
                wrong.append((client, method, path, status, expected))
        # THEN the authorizer ran once per route this client called (6 routes), whatever the paths
        assert invocations(dense_stack) - before == len(ROUTES), client
    # AND no answer differs from the rules' decision
    assert wrong == []


def test_the_same_token_on_two_paths_of_one_route_is_one_invocation_and_on_two_routes_two(
    dense_stack: Stack, clock: ManualClock
) -> None:
    token = token_for(dense_stack.issuer_url, "orders-reader")
    url = dense_stack.gateway_url
    assert [http("GET", url + p, bearer(token)).status for p in ("/items/1", "/items/99")] == [200, 200]
    assert invocations(dense_stack) == 1
    assert http("GET", url + "/items/1/secret", bearer(token)).status == 403  # another route: asked again
    assert invocations(dense_stack) == 2
    # AND after ReauthorizeEvery the route's entry is gone
    clock.advance(301)
    assert http("GET", url + "/items/5", bearer(token)).status == 200
    assert invocations(dense_stack) == 3
