"""authorizer.policy: the returned policy gives the rules' decision on EVERY route, cached or not."""

from __future__ import annotations

import itertools
import json

import pytest

from authorizer.caller import Caller
from authorizer.arn import ApiStage, parse_method_arn
from authorizer.errors import PolicyTooLarge
from scopegate_tools.iam import Verdict, evaluate_policy
from authorizer.policy import build_policy_document
from authorizer.route import HTTP_METHODS
from authorizer.rules import compile_rules

RULES = compile_rules(
    """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: GET /orders
    any_scopes: [read:orders, admin]
  - route: POST /orders
    scopes: [write:orders]
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders, write:orders]
  - route: "* /health"
    authenticated: true
  - route: "* /admin/*"
    deny: true
  - route: GET /v?/status
    authenticated: true
""",
    "rules.yaml",
)
API = ApiStage("aws", "eu-west-1", "123456789012", "abc123", "Dev")
PATHS = [
    "/",
    "/hello",
    "/hello/",
    "/orders",
    "/orders/1",
    "/orders/1/refunds",
    "/orders/1/refunds/2",
    "/orders/a:b%20c+d.e",
    "/health",
    "/x/health",
    "/admin/users",
    "/admin",
    "/v1/status",
    "/v10/status",
    "/ünïcode",
]
SCOPE_SETS = [
    frozenset(s)
    for n in range(4)
    for s in itertools.combinations(["read:hello", "read:orders", "admin", "write:orders", "refund:orders"], n)
]


@pytest.mark.parametrize("granted", SCOPE_SETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_policy_gives_the_rules_decision_on_every_route(granted: frozenset[str]) -> None:
    # GIVEN the policy built for one token on one API stage (as cached by API Gateway)
    document = build_policy_document(RULES, Caller.holding(granted), API)
    # THEN every method on every path gets exactly the rules' decision
    for method, path in itertools.product(HTTP_METHODS, PATHS):
        expected = RULES.decide(method, path, Caller.holding(granted)).allowed
        verdict = evaluate_policy(document, API.resource(method, path))
        assert (verdict is Verdict.ALLOW) == expected, (method, path, sorted(granted))


def test_policy_denies_refunds_without_refund_scope_even_when_orders_allowed() -> None:
    document = build_policy_document(RULES, Caller.holding(frozenset({"read:orders", "write:orders"})), API)
    assert evaluate_policy(document, API.resource("GET", "/orders/1")) is Verdict.ALLOW
    assert evaluate_policy(document, API.resource("POST", "/orders/1/refunds")) is Verdict.EXPLICIT_DENY


def test_policy_is_golden_for_a_read_only_token() -> None:
    # GIVEN a token that may read /hello; /health and /v?/status need any valid token
    document = build_policy_document(RULES, Caller.holding(frozenset({"read:hello"})), API)
    prefix = API.prefix
    # THEN the policy allows just those; it needs no Deny: no denied route shares a request with
    # them (/orders..., /admin/... and POST /orders start differently), and what no Allow matches
    # is denied anyway
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": sorted(
                    [f"{prefix}/GET/hello", f"{prefix}/GET/v?/status"]
                    + [f"{prefix}/{m}/health" for m in HTTP_METHODS]
                ),
            },
        ],
    }


def test_policy_is_golden_for_an_orders_writer() -> None:
    # GIVEN a token that may read and write orders but not refund them
    document = build_policy_document(RULES, Caller.holding(frozenset({"read:orders", "write:orders"})), API)
    prefix = API.prefix
    # THEN it allows GET and POST /orders, every verb on /orders/*, /health and /v?/status; of
    # the Denies only the refunds carve-out out of POST /orders/* is kept: /hello and /admin/*
    # share no request with an Allow
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": sorted(
                    [f"{prefix}/GET/orders", f"{prefix}/POST/orders", f"{prefix}/GET/v?/status"]
                    + [f"{prefix}/{m}/orders/*" for m in HTTP_METHODS]
                    + [f"{prefix}/{m}/health" for m in HTTP_METHODS]
                ),
            },
            {
                "Action": "execute-api:Invoke",
                "Effect": "Deny",
                "Resource": [f"{prefix}/POST/orders/*/refunds"],
            },
        ],
    }


def test_policy_without_any_allowed_route_is_one_deny_of_the_whole_stage() -> None:
    rules = compile_rules("version: 1\nrules:\n  - route: GET /a\n    scopes: [x]\n", "rules.yaml")
    document = build_policy_document(rules, Caller.holding(frozenset()), API)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [f"{API.prefix}/*"]}],
    }


def test_a_broad_rule_makes_the_narrower_allows_redundant() -> None:
    # GIVEN an admin rule over every path and narrower rules inside it, one a deny rule
    rules = compile_rules(
        """\
version: 1
rules:
  - route: "* /{proxy+}"
    scopes: [admin]
  - route: GET /orders/{id}
    any_scopes: [admin, read]
  - route: POST /orders
    scopes: [admin]
  - route: "* /internal/*"
    deny: true
""",
        "rules.yaml",
    )
    # WHEN the admin's policy is built THEN each verb's /* covers the rest, less /internal/*
    document = build_policy_document(rules, Caller.holding(frozenset({"admin"})), API)
    prefix = API.prefix
    assert document["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": sorted(f"{prefix}/{m}/*" for m in HTTP_METHODS)},
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": sorted(f"{prefix}/{m}/internal/*" for m in HTTP_METHODS)},
    ]


def test_policy_is_deterministic_byte_for_byte() -> None:
    first = json.dumps(build_policy_document(RULES, Caller.holding(frozenset({"admin", "read:hello"})), API))
    second = json.dumps(build_policy_document(RULES, Caller.holding(frozenset({"read:hello", "admin"})), API))
    assert first == second


def test_policy_uses_the_calls_api_stage_and_never_a_wildcard_prefix() -> None:
    api = parse_method_arn("arn:aws-cn:execute-api:cn-north-1:210987654321:zz9/Prod/GET/hello").api
    document = build_policy_document(RULES, Caller.holding(frozenset({"read:hello"})), api)
    resources = [r for s in document["Statement"] for r in s["Resource"]]
    assert all(r.startswith("arn:aws-cn:execute-api:cn-north-1:210987654321:zz9/Prod/") for r in resources)


def test_policy_refuses_a_resource_longer_than_512_characters() -> None:
    rules = compile_rules("version: 1\nrules:\n  - route: GET /" + "a" * 380 + "\n    deny: true\n", "r.yaml")
    long_api = ApiStage("aws-us-gov", "us-gov-west-1", "123456789012", "a" * 64, "s" * 70)
    with pytest.raises(PolicyTooLarge):
        build_policy_document(rules, Caller.holding(frozenset()), long_api)
