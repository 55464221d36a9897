"""authorizer.route_policy: the policy of one route, exact on its every path, small at any API size."""

from __future__ import annotations

from typing import Any

import pytest

from authorizer.arn import ApiStage
from authorizer.caller import Caller
from authorizer.errors import PolicyTooLarge
from authorizer.policy import policy_size
from authorizer.resource_path import parse_resource_path
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import compile_rules
from scopegate_tools.iam import Verdict, evaluate_policy

API = ApiStage("aws", "eu-west-1", "123456789012", "abc123", "Dev")
P = API.prefix
RULES = compile_rules("""\
version: 1
rules:
  - route: GET /orders/*
    any_scopes: [read:orders, admin]
  - route: GET /orders/*/items
    scopes: [read:items]
  - route: POST /orders
    scopes: [write:orders]
  - route: "* /admin/*"
    deny: true
  - route: GET /files/*
    authenticated: true
  - route: GET /files/secret/*
    scopes: [admin]
  - route: GET /
    authenticated: true
""", "rules.yaml")


def policy(method: str, template: str, *scopes: str) -> dict[str, Any]:
    return build_route_policy_document(RULES, Caller.holding(scopes), API, method, parse_resource_path(template))


def statements(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(s["Effect"], s["Resource"]) for s in document["Statement"]]


def test_a_route_the_rules_allow_on_every_path_is_one_allow_of_its_glob() -> None:
    # GET /orders/{id}: /orders/* allows every id; /orders/*/items never meets one (an id holds no '/')
    assert statements(policy("GET", "/orders/{id}", "read:orders")) == [("Allow", [f"{P}/GET/orders/*"])]


def test_a_route_the_rules_deny_on_every_path_is_one_deny_of_its_glob() -> None:
    assert statements(policy("GET", "/orders/{id}", "write:orders")) == [("Deny", [f"{P}/GET/orders/*"])]
    assert statements(policy("DELETE", "/admin/{proxy+}", "admin")) == [("Deny", [f"{P}/DELETE/admin/*"])]


def test_a_route_no_rule_reaches_is_denied_with_and_without_its_trailing_slash() -> None:
    assert statements(policy("GET", "/customers", "admin")) == [("Deny", [f"{P}/GET/customers", f"{P}/GET/customers/"])]


def test_a_verb_no_rule_has_is_denied() -> None:
    assert statements(policy("CONNECT", "/orders/{id}", "admin")) == [("Deny", [f"{P}/CONNECT/orders/*"])]


def test_a_route_with_mixed_decisions_keeps_what_tells_them_apart_and_nothing_else() -> None:
    # GET /files/{proxy+}: allowed, except below /files/secret/ without admin; /orders and /admin rules are left out
    document = policy("GET", "/files/{proxy+}", "read:orders")
    assert statements(document) == [
        ("Allow", [f"{P}/GET/files/*"]),
        ("Deny", [f"{P}/GET/files/secret/*"]),
    ]
    verdicts = [evaluate_policy(document, f"{P}/GET/files/{p}") for p in ("a", "a/b", "secret", "secret/x")]
    assert verdicts == [Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.EXPLICIT_DENY]


def test_a_literal_route_is_exact_with_its_trailing_slash_too() -> None:
    # POST /orders: the rule matches /orders only; API Gateway may route /orders/ here too
    document = policy("POST", "/orders", "write:orders")
    assert statements(document) == [("Allow", [f"{P}/POST/orders"])]
    assert evaluate_policy(document, f"{P}/POST/orders/") is not Verdict.ALLOW  # the rules deny /orders/


def test_the_root_route() -> None:
    assert statements(policy("GET", "/", "x")) == [("Allow", [f"{P}/GET/"])]


def test_a_per_route_policy_does_not_grow_with_the_rest_of_the_api() -> None:
    # GIVEN 1,000 services of five rules each, and a token holding every scope
    text = "version: 1\nrules:\n" + "".join(
        f"  - route: GET /svc{n}/items/*\n    scopes: [read:svc{n}]\n"
        f"  - route: POST /svc{n}/items\n    scopes: [write:svc{n}]\n"
        f"  - route: \"* /svc{n}/internal/*\"\n    deny: true\n"
        for n in range(1000)
    )
    rules = compile_rules(text, "rules.yaml")
    every = Caller.holding(rules.known_scopes)
    # THEN the policy of one route names that route only
    document = build_route_policy_document(rules, every, API, "GET", parse_resource_path("/svc7/items/{id}"))
    assert statements(document) == [("Allow", [f"{P}/GET/svc7/items/*"])]
    assert policy_size(document) < 200


def test_a_rule_too_long_for_a_resource_fails_loudly() -> None:
    rules = compile_rules(f"version: 1\nrules:\n  - route: GET /a/{'x' * 380}\n    authenticated: true\n", "r.yaml")
    long_api = ApiStage("aws-us-gov", "ap-southeast-2", "123456789012", "abcdefghij" * 6, "S" * 60)
    with pytest.raises(PolicyTooLarge):
        build_route_policy_document(rules, Caller.holding(()), long_api, "GET", parse_resource_path("/a/{id}"))
