"""scopegate_tools.cli.why: a denial says what is missing, AND and OR kept apart."""

from __future__ import annotations

import pytest

from scopegate_tools.cli.why import MissingScopes, missing_of, why
from authorizer.caller import Caller
from authorizer.rules import compile_rules

RULES = """\
version: 1
rules:
  - route: GET /orders
    any_scopes: [read:orders, admin]
  - route: POST /orders
    scopes: [write:orders, audit]
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: POST /orders/*/refunds
    scopes: [refund:orders]
  - route: PUT /orders/*
    scopes: [write:orders, audit]
    any_scopes: [ops, admin]
  - route: PATCH /orders/*
    any_scopes: [ops, support]
  - route: DELETE /orders/*
    scopes: [read:orders]
  - route: GET /vip
    any_scopes: [vip]
  - route: GET /health
    authenticated: true
  - route: "* /orders/*/internal"
    deny: true
"""
RULESET = compile_rules(RULES, "rules.yaml")


def why_for(method: str, path: str, scopes: str) -> str:
    return why(RULESET.decide(method, path, Caller.holding(frozenset(scopes.split()))))


@pytest.mark.parametrize(
    ("method", "path", "scopes", "expected"),
    [
        pytest.param("GET", "/orders", "", "rule 1 (GET /orders) needs admin OR read:orders; "
                     "missing one of: admin, read:orders", id="OR: one of them"),
        pytest.param("POST", "/orders", "", "rule 2 (POST /orders) needs audit AND write:orders; "
                     "missing all of: audit, write:orders", id="AND: all of them"),
        pytest.param("POST", "/orders", "write:orders", "rule 2 (POST /orders) needs audit AND write:orders; "
                     "missing audit", id="AND: only what is missing"),
        pytest.param("POST", "/orders/1/refunds", "", "rule 3 (* /orders/*) needs admin OR read:orders; "
                     "rule 4 (POST /orders/*/refunds) needs refund:orders; "
                     "missing refund:orders and one of: admin, read:orders", id="AND of two rules, one OR"),
        pytest.param("PUT", "/orders/1", "read:orders", "rule 5 (PUT /orders/*) needs audit AND write:orders "
                     "AND (admin OR ops); missing all of: audit, write:orders; and one of: admin, ops",
                     id="all of and one of in one rule"),
        pytest.param("PATCH", "/orders/1", "", "rule 3 (* /orders/*) needs admin OR read:orders; "
                     "rule 6 (PATCH /orders/*) needs ops OR support; "
                     "missing one of: admin, read:orders; and one of: ops, support", id="two OR groups"),
        pytest.param("DELETE", "/orders/1", "", "rule 3 (* /orders/*) needs admin OR read:orders; "
                     "rule 7 (DELETE /orders/*) needs read:orders; missing read:orders",
                     id="a group that the needed scope satisfies is not repeated"),
        pytest.param("GET", "/vip", "", "rule 8 (GET /vip) needs vip; missing vip", id="OR of one is a plain need"),
        pytest.param("GET", "/orders/1/internal", "admin", "rule 10 (* /orders/*/internal) denies it",
                     id="deny: nothing a scope could supply"),
        pytest.param("GET", "/health", "", "rule 9 (GET /health) needs any valid token", id="authenticated"),
        pytest.param("GET", "/nowhere", "admin", "no rule matches", id="no rule"),
    ],
)
def test_why_names_the_rules_and_what_is_missing_unambiguously(
    method: str, path: str, scopes: str, expected: str
) -> None:
    assert why_for(method, path, scopes) == expected


def test_missing_of_keeps_all_of_and_one_of_apart_for_json() -> None:
    # GIVEN rules 3 (admin OR read:orders) and 5 (audit AND write:orders AND (admin OR ops)) match
    decision = RULESET.decide("PUT", "/orders/1", Caller.holding(frozenset()))
    # THEN the groups come in file order, each sorted
    assert missing_of(decision) == MissingScopes(
        all_of=("audit", "write:orders"), one_of=(("admin", "read:orders"), ("admin", "ops"))
    )
    assert missing_of(decision).as_json() == {
        "all_of": ["audit", "write:orders"],
        "one_of": [["admin", "read:orders"], ["admin", "ops"]],
    }


def test_missing_of_an_allowed_decision_is_empty() -> None:
    assert missing_of(RULESET.decide("GET", "/orders", Caller.holding(frozenset({"admin"})))) == MissingScopes()
