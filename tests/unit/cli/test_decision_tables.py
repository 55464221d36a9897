"""python -m scopegate_tools test: the decision tables of rules_test.yaml, and their load errors."""

from __future__ import annotations

import json

import pytest

from tests.support.orders_example import RULES, TABLES, Example
from tests.unit.cli.conftest import run_cli


def test_tables_of_the_orders_example_pass(orders: Example) -> None:
    result = run_cli("test")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "ok    reader (line 3): 42 cases, 0 failed\n"
        "ok    admin (line 9): 42 cases, 0 failed\n"
        "ok    writer (line 12): 42 cases, 0 failed\n"
        "ok    nobody (line 15): 42 cases, 0 failed\n"
        "OK: 168 of 168 cases passed.\n"
    )


def test_a_route_that_must_be_allowed_but_is_denied_names_the_entry_and_the_rule(orders: Example) -> None:
    orders.tables.write_text(TABLES.replace("scopes: [read:orders, vip]", "scopes: [read:orders]"))
    result = run_cli("test")
    assert result.code == 1
    assert result.out.splitlines()[4:] == [
        "policies/rules_test.yaml:7: reader: GET /orders/1 (route GET /orders/{id}) must be allowed "
        "but is denied: rule 6 (GET /orders/1) needs vip; missing vip",
        "FAILED: 167 of 168 cases passed.",
    ]


def test_a_failure_under_an_or_rule_says_one_of_the_scopes_is_missing(orders: Example) -> None:
    # GIVEN the writer must read orders, which takes read:orders OR admin
    orders.tables.write_text(TABLES.replace("allowed: [POST /orders]", "allowed: [GET /orders, POST /orders]"))
    result = run_cli("test")
    assert result.code == 1
    assert result.out.splitlines()[4:] == [
        "policies/rules_test.yaml:14: writer: GET /orders must be allowed but is denied: "
        "rule 1 (GET /orders) needs admin OR read:orders; missing one of: admin, read:orders",
        "FAILED: 167 of 168 cases passed.",
    ]
    report = json.loads(run_cli("test", "--format", "json").out)
    (failed,) = [c for c in report["cases"] if not c["passed"]]
    assert failed["missing"] == {"all_of": [], "one_of": [["admin", "read:orders"]]}


def test_a_route_that_must_be_denied_but_is_allowed_names_the_client_and_the_rule(orders: Example) -> None:
    orders.tables.write_text(TABLES.replace("allowed: [POST /orders]", "allowed: []"))
    result = run_cli("test")
    assert result.code == 1
    assert (
        "policies/rules_test.yaml:12: writer: POST /orders must be denied but is allowed: "
        "rule 2 (POST /orders) needs write:orders\n"
    ) in result.out


def test_a_single_request_can_be_listed_instead_of_a_whole_route(orders: Example) -> None:
    orders.tables.write_text(TABLES.replace('"DELETE /orders/{id}"', "DELETE /orders/42"))
    report = json.loads(run_cli("test", "--format", "json").out)
    failed = [(c["client"], c["request"], c["expected"], c["actual"]) for c in report["cases"] if not c["passed"]]
    assert failed == [("admin", "DELETE /orders/x", "denied", "allowed")]


BROKEN_TABLES = [
    pytest.param(
        TABLES.replace("allowed: [POST /orders]", "allowed: [POST /orders"),
        "policies/rules_test.yaml:15: invalid YAML: expected ',' or ']', but got ':'",
        id="malformed YAML",
    ),
    pytest.param(
        TABLES.replace("scopes: [write:orders]", "scope: [write:orders]"),
        "policies/rules_test.yaml:13: client 'writer': unknown key 'scope'; did you mean 'scopes'?",
        id="unknown key",
    ),
    pytest.param(
        TABLES.replace("name: nobody", "name: writer"),
        "policies/rules_test.yaml:15: client 'writer' is already defined on line 12; rename or merge it",
        id="duplicate client",
    ),
    pytest.param(
        TABLES.replace("allowed: [POST /orders]", "allowed: [POST /invoices]"),
        "policies/rules_test.yaml:14: client 'writer': POST /invoices is not a route of the template "
        "guarded by the authorizer (routes: GET /orders, POST /orders, GET /orders/{id}, DELETE /orders/{id}, "
        "POST /orders/{id}/refunds, GET /orders/{id}/refunds, ANY /admin/{proxy+}); fix the route or add it "
        "to template.yaml",
        id="route outside the template",
    ),
    pytest.param(
        TABLES.replace("allowed: [POST /orders]", "allowed: [GET /health]"),
        "policies/rules_test.yaml:14: client 'writer': GET /health is a public route (Authorizer: NONE): "
        "the authorizer never sees it; remove it from the table",
        id="public route",
    ),
    pytest.param(
        TABLES.replace("allowed: [POST /orders]", "allowed: [POST /orders, post /orders]"),
        "policies/rules_test.yaml:14: client 'writer': POST /orders is listed twice (line 14); keep one",
        id="duplicate entry",
    ),
    pytest.param(
        TABLES.replace("name: nobody", "name: nobody\n    description: [no, list]"),
        "policies/rules_test.yaml:16: client 'nobody': 'description' must be a string",
        id="description not a string",
    ),
    pytest.param(
        TABLES.replace("version: 1", "version: 2"),
        "policies/rules_test.yaml:1: 'version' must be 1 (found 2)",
        id="wrong version",
    ),
]


@pytest.mark.parametrize(("tables", "message"), BROKEN_TABLES)
def test_broken_tables_give_file_line_and_fix_and_exit_3(orders: Example, tables: str, message: str) -> None:
    orders.tables.write_text(tables)
    result = run_cli("test")
    assert (result.code, result.out, result.err) == (3, "", f"error: {message}\n")


def test_broken_rules_stop_the_tables_with_exit_3(orders: Example) -> None:
    orders.rules.write_text(RULES + "  - route: GET /orders\n    scopes: [x]\n")
    result = run_cli("test")
    assert (result.code, result.err) == (
        3,
        "error: policies/rules.yaml:17: rule 8 (GET /orders) repeats the route of rule 1 (line 3); "
        "merge them into one rule\n",
    )
