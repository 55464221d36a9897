"""Several issuers, an organization and a client-restricted rule, over HTTP through the local stack.

The stack runs with ``custom_domain``: the issuer also answers as the tenant's custom domain
(``<issuer>login/``), and the authorizer, deployed from template.yaml with the issuers file the
stack writes, trusts both. ``partner-acme`` (local/clients.yaml) is enabled for the ``org_acme``
organization and restricted by two rules of policies/rules.yaml that name it. The authorizer's
decision log lines are read from the function workers' stderr, which the test captures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.gateway.result_cache import ManualClock
from local.stack import Stack, StackConfig
from tests.support.issuer_client import request_token, token_for
from tests.support.local_stack import bearer, http
from tests.support.keys import rsa_key
from tests.support.minting import auth0_claims, mint


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # the gateway's: its result cache ages only when a test moves it


@pytest.fixture
def stack(clock: ManualClock) -> Iterator[Stack]:
    running = Stack(
        StackConfig(gateway_port=0, issuer_port=0, dynamodb_port=0, rules=None, custom_domain=True), clock=clock
    ).start()
    try:
        yield running
    finally:
        running.stop()


def decisions(captured: str) -> list[dict[str, Any]]:
    found = []
    for line in captured.splitlines():
        if line.startswith("{") and '"message":"decision"' in line:
            found.append(json.loads(line))
    return found


def test_tokens_of_the_tenant_and_of_its_custom_domain_are_both_accepted(
    stack: Stack, capfd: pytest.CaptureFixture[str]
) -> None:
    assert stack.custom_domain_url == stack.issuer_url + "login/"
    # GIVEN a token from each issuer for the same client
    tenant = token_for(stack.issuer_url, "demo-reader")
    custom = token_for(stack.custom_domain_url, "demo-reader")
    # WHEN each calls the API
    answers = [http("GET", stack.gateway_url + "/hello", bearer(token)) for token in (tenant, custom)]
    # THEN both are allowed, and the decision log says which issuer each came from
    assert [(a.status, a.json()) for a in answers] == [(200, {"message": "hello world"})] * 2
    lines = decisions(capfd.readouterr().err)
    assert [(d["outcome"], d["issuer"]) for d in lines] == [
        ("allow", stack.issuer_url), ("allow", stack.custom_domain_url),
    ]


def test_a_token_of_an_issuer_nobody_trusts_is_refused_before_any_key_lookup(
    stack: Stack, capfd: pytest.CaptureFixture[str]
) -> None:
    forged = mint(rsa_key("nobody"), auth0_claims(iss="http://127.0.0.1:9/", aud="https://api.scopegate.local"))
    assert http("GET", stack.gateway_url + "/hello", bearer(forged)).status == 401
    (line,) = decisions(capfd.readouterr().err)
    assert (line["outcome"], line["reason"]) == ("unauthorized", "unknown_issuer")
    assert "jwks_cached" not in line  # no key set was asked


def test_the_organization_parameter_yields_org_id_and_the_restricted_client_is_denied_where_rules_name_it(
    stack: Stack, clock: ManualClock, capfd: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the partner's token, issued for its organization
    token = token_for(stack.issuer_url, "partner-acme", organization="org_acme")
    # WHEN it lists orders, then tries to delete one and to refund one (it holds write:orders and refund:orders)
    listed = http("GET", stack.gateway_url + "/orders", bearer(token))
    deleted = http("DELETE", stack.gateway_url + "/orders/any", bearer(token))
    refunded = http("POST", stack.gateway_url + "/orders/any/refunds", bearer(token), b"{}")
    # THEN it may list, and both others are refused (403) by the policy the gateway cached for the token
    assert (listed.status, deleted.status, refunded.status) == (200, 403, 403)
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 1
    # AND decided anew (the cached decision expired), each is refused by the rule that names the client
    for method, path in (("DELETE", "/orders/any"), ("POST", "/orders/any/refunds")):
        clock.advance(301)  # template.yaml's ReauthorizeEvery is 300 s
        assert http(method, stack.gateway_url + path, bearer(token), b"{}" if method == "POST" else None).status == 403
    lines = decisions(capfd.readouterr().err)
    assert [(d["outcome"], d["reason"], d["client_id"], d["org_id"]) for d in lines] == [
        ("allow", "allowed", "partner-acme", "org_acme"),
        ("deny", "denied_by_rule", "partner-acme", "org_acme"),
        ("deny", "caller_not_allowed", "partner-acme", "org_acme"),
    ]
    assert "orders-partner-never-deletes" in lines[1]["rule_ids"]
    assert lines[2]["rule_ids"] == ["orders-one", "orders-refund"]


def test_a_client_not_enabled_for_the_organization_gets_no_token(stack: Stack) -> None:
    refused = request_token(stack.issuer_url, "orders-reader", organization="org_acme")
    unknown = request_token(stack.issuer_url, "partner-acme", organization="org_nope")
    assert (refused.status, refused.json()["error"]) == (403, "access_denied")
    assert (unknown.status, unknown.json()["error"]) == (403, "access_denied")
