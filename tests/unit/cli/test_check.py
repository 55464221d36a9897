"""python -m authorizer check: coverage, dead rules, wildcard reach, policy size, requirements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.orders_example import RULES, Example
from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[3]

GOLDEN = """\
Rules policies/rules.yaml (digest e007b5f7f840, 7 rules) against template.yaml (7 routes guarded by the authorizer, 1 public)

Effective requirement per route (every rule that matches must be satisfied):
  ROUTE                      REQUESTS            REQUIREMENT                     RULES
  GET /orders                every request       admin OR read:orders            1
  POST /orders               every request       write:orders                    2
  GET /orders/{id}           e.g. GET /orders/x  admin OR read:orders            3
                             GET /orders/1       (admin OR read:orders) AND vip  3, 6
  DELETE /orders/{id}        every request       admin                           4
  POST /orders/{id}/refunds  every request       refund:orders                   5
  GET /orders/{id}/refunds   every request       admin OR read:orders            3
  ANY /admin/{proxy+}        every request       DENY                            7

Rules:
  #  LINE  ROUTE                      REQUIREMENT           ID
  1  3     GET /orders                admin OR read:orders  GET /orders
  2  5     POST /orders               write:orders          POST /orders
  3  7     GET /orders/{id}           admin OR read:orders  GET /orders/{id}
  4  9     DELETE /orders/*           admin                 DELETE /orders/*
  5  11    POST /orders/{id}/refunds  refund:orders         POST /orders/{id}/refunds
  6  13    GET /orders/1              vip                   GET /orders/1
  7  15    * /admin/*                 DENY                  * /admin/*

Coverage: every guarded route is matched by a rule.
Dead rules: none.
Wildcard reach (rules that also match these routes):
  rule 3 (GET /orders/{id}) -> GET /orders/{id}/refunds
Policy size: largest 534 bytes, 5 resources (budget 8192 bytes); longest resource 91 of 512 characters:
  arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev/POST/orders/*/refunds

OK: 0 errors, 0 warnings.
"""


# The policy figures are those of the compact policies of the scope sets the checker tries; a
# token holding admin, refund:orders and write:orders gets a larger one (680 bytes), which the
# checker does not try: see test_no_policy_is_larger_than_what_the_rules_checker_reports.


def test_check_prints_the_golden_report_for_the_orders_example(orders: Example) -> None:
    result = run_cli("check")
    assert (result.code, result.out, result.err) == (0, GOLDEN, "")


def test_check_on_the_shipped_rules_and_template_passes_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run_cli("check", "--strict", "--format", "json")
    report = json.loads(result.out)
    assert (result.code, report["ok"], report["errors"], report["warnings"]) == (0, True, [], [])
    assert all(route["covered"] for route in report["routes"])


def test_check_reports_an_uncovered_route_as_an_error(orders: Example) -> None:
    orders.rules.write_text(RULES.replace("  - route: POST /orders\n    scopes: [write:orders]\n", ""))
    result = run_cli("check")
    assert result.code == 1
    assert (
        "error: POST /orders (template line 25) is matched by no rule (e.g. POST /orders): "
        "it is denied to everyone; add a rule for it\n"
    ) in result.out


def test_check_reports_a_partly_covered_route_with_an_example(orders: Example) -> None:
    rules = RULES.replace("GET /orders/{id}\n    any_scopes", "GET /orders/7\n    any_scopes")
    orders.rules.write_text(rules)
    report = json.loads(run_cli("check", "--format", "json").out)
    (route,) = [r for r in report["routes"] if r["route"] == "GET /orders/{id}"]
    assert (route["covered"], route["uncovered_examples"]) == (False, ["GET /orders/x"])
    assert route["sometimes_rules"] == ["GET /orders/7", "GET /orders/1"]


def test_dead_rule_is_a_warning_and_an_error_with_strict(orders: Example) -> None:
    orders.rules.write_text(RULES + "  - route: GET /legacy\n    scopes: [read:legacy]\n")
    message = (
        "policies/rules.yaml:17: rule 8 (GET /legacy) matches no route of template.yaml; "
        "remove it or add the route\n"
    )
    relaxed = run_cli("check")
    assert relaxed.code == 0 and f"warning: {message}" in relaxed.out
    strict = run_cli("check", "--strict")
    assert strict.code == 1 and f"error: {message}" in strict.out


def test_a_deny_rule_matching_no_route_is_a_guard_not_a_dead_rule(orders: Example) -> None:
    # GIVEN a deny rule for routes that do not exist (yet)
    orders.rules.write_text(RULES + '  - route: "* /orders/*/internal/*"\n    deny: true\n')
    # WHEN checked strictly
    result = run_cli("check", "--strict")
    report = json.loads(run_cli("check", "--strict", "--format", "json").out)
    # THEN it passes, and the rule is listed as a guard
    assert result.code == 0
    assert "Guard rules (deny rules that match no route yet; they stop a route added by mistake): rule 8" in result.out
    assert (report["dead_rules"], [g["line"] for g in report["guard_rules"]]) == ([], [17])


def test_a_rule_matching_only_some_requests_is_not_dead(orders: Example) -> None:
    report = json.loads(run_cli("check", "--strict", "--format", "json").out)
    assert report["dead_rules"] == []


def test_wildcard_reach_lists_every_route_a_star_reaches_besides_its_own(orders: Example) -> None:
    orders.rules.write_text(RULES.replace("DELETE /orders/*", '"* /orders/*"'))
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["wildcard_reach"] == [
        {"rule": "GET /orders/{id}", "line": 7, "routes": ["GET /orders/{id}/refunds"]},
        {"rule": "* /orders/*", "line": 9, "routes": ["POST /orders/{id}/refunds", "GET /orders/{id}/refunds"]},
    ]


def test_policy_over_the_budget_fails_the_check(orders: Example) -> None:
    result = run_cli("check", "--policy-budget-bytes", "500")
    assert result.code == 1
    assert "error: the largest policy is 534 bytes, over the budget of 500; merge rules with wildcards\n" in result.out


def test_a_resource_longer_than_512_characters_fails_the_check(orders: Example) -> None:
    # GIVEN a 370-character path (rules allow 384) on an 80-character stage
    long_path = "/orders/" + "a" * 362
    orders.rules.write_text(RULES + f"  - route: GET {long_path}\n    scopes: [x]\n")
    # WHEN checked: 66 (worst-case prefix) + 80 + 4 ("/GET") + 370 = 520 characters
    report = json.loads(run_cli("check", "--stage", "S" * 80, "--format", "json").out)
    # THEN
    assert report["policy"]["longest_resource_length"] == 520
    assert report["errors"] == [
        "rule 8 (GET " + long_path + ") gives a resource of 520 characters (limit 512); "
        "shorten the path or use a wildcard"
    ]


def test_check_json_gives_the_policy_figures(orders: Example) -> None:
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["policy"] == {
        "largest_bytes": 534,
        "resources": 5,
        "scopes_of_largest": ["admin", "read:orders", "refund:orders", "vip", "write:orders"],
        "budget_bytes": 8192,
        "longest_resource": "arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev/POST/orders/*/refunds",
        "longest_resource_length": 91,
        "resource_limit": 512,
    }
