"""python -m scopegate_tools check: coverage, dead rules, wildcard reach, policy size, requirements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.orders_example import RULES, TEMPLATE, Example
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

Public routes (Auth: {Authorizer: NONE}: no token is asked, anyone can call them):
  ROUTE        FUNCTION  EVENT   LINE
  GET /health  Orders    Health  31

Rules:
  #  LINE  ROUTE                      REQUIREMENT           ID
  1  3     GET /orders                admin OR read:orders  GET /orders
  2  5     POST /orders               write:orders          POST /orders
  3  7     GET /orders/{id}           admin OR read:orders  GET /orders/{id}
  4  9     DELETE /orders/*           admin                 DELETE /orders/*
  5  11    POST /orders/{id}/refunds  refund:orders         POST /orders/{id}/refunds
  6  13    GET /orders/1              vip                   GET /orders/1
  7  15    * /admin/*                 DENY                  * /admin/*

Unguarded routes: none (every route reaches scopegate or is declared public).
Coverage: every guarded route is matched by a rule.
Dead rules: none.
Wildcard reach (rules that also match these routes):
  rule 3 (GET /orders/{id}) -> GET /orders/{id}/refunds
Policy size by mode (budget 8192 bytes; the template deploys TOKEN):
  TOKEN    whole API  largest 680 bytes, 6 resources, for scopes [admin refund:orders write:orders] (every one of the 32 scope sets measured): fits
  REQUEST  one route  largest 331 bytes, 2 resources, for scopes [admin] on GET /orders/{id} (every one of the 35 scope sets measured): fits
Advice: TOKEN mode: every whole-API policy fits, and it invokes the authorizer once per token, not once per token and route.
Policy size per client of the decision tables (bytes):
  CLIENT   TOKEN  ONE ROUTE  LARGEST ROUTE
  reader     268        288  POST /orders/{id}/refunds
  admin      356        288  POST /orders/{id}/refunds
  writer     184        288  POST /orders/{id}/refunds
  nobody     173        288  POST /orders/{id}/refunds
Longest resource: 91 of 512 characters:
  arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev/POST/orders/*/refunds

OK: 0 errors, 0 warnings.
"""


# The policy figure is the largest compact policy over every scope set the rules can tell apart
# (5 named scopes: 32 sets): a token holding admin, refund:orders and write:orders gets 680 bytes.


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
    # THEN TOKEN mode's largest policy is an error that names the way out: per-route mode fits
    assert ("error: the policy for scopes [admin refund:orders write:orders] is 680 bytes, over the budget of 500; "
            "deploy the per-route mode (template parameter AuthorizerMode=REQUEST), whose every policy fits, "
            "or merge rules with wildcards\n") in result.out
    assert "Advice: per-route mode (AuthorizerMode=REQUEST)" in result.out


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
        "per_route": False,
        "route_of_largest": None,
        "largest_bytes": 680,
        "resources": 6,
        "scopes_of_largest": ["admin", "refund:orders", "write:orders"],
        "exhaustive": True,
        "scope_sets_measured": 32,
        "bound_bytes": 1280,
        "budget_bytes": 8192,
        "longest_resource": "arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev/POST/orders/*/refunds",
        "longest_resource_length": 91,
        "resource_limit": 512,
    }


# The orders example with the authorizer's type chosen by a parameter, as in template.yaml
MODE_TEMPLATE = TEMPLATE.replace("Resources:\n", "Parameters:\n  Mode: {Type: String, Default: TOKEN, AllowedValues: [TOKEN, REQUEST]}\nResources:\n", 1).replace(
    "            Identity: {ReauthorizeEvery: 300}",
    "            FunctionPayloadType: !Ref Mode\n"
    "            Identity: {ReauthorizeEvery: 300, Headers: [Authorization], Context: [httpMethod, resourcePath]}",
)


def test_check_reads_the_mode_the_parameter_overrides_choose(orders: Example) -> None:
    orders.template.write_text(MODE_TEMPLATE)
    # GIVEN the same template read as deployed with each mode
    token = json.loads(run_cli("check", "--format", "json").out)
    request = json.loads(run_cli("check", "--format", "json", "--parameter-overrides", "Mode=REQUEST").out)
    # THEN both guard every route, and REQUEST mode is sized per route: each policy covers one route
    assert (token["ok"], request["ok"]) == (True, True)
    assert [r["route"] for r in token["routes"]] == [r["route"] for r in request["routes"]]
    assert (token["policy"]["per_route"], token["policy"]["largest_bytes"]) == (False, 680)
    assert (request["policy"]["per_route"], request["policy"]["route_of_largest"]) == (True, "GET /orders/{id}")
    assert request["policy"]["largest_bytes"] < token["policy"]["largest_bytes"]
    assert (token["modes"]["deployed"], request["modes"]["deployed"]) == ("TOKEN", "REQUEST")
    assert token["modes"]["per_route"] == request["modes"]["per_route"]  # both modes are sized either way
    text = run_cli("check", "--parameter-overrides", "Mode=REQUEST").out
    assert "the template deploys REQUEST" in text and " on GET /orders/{id} (" in text


def test_a_parameter_value_outside_allowed_values_exits_3_naming_the_line(orders: Example) -> None:
    orders.template.write_text(MODE_TEMPLATE)
    result = run_cli("check", "--parameter-overrides", "Mode=request")
    assert (result.code, result.err) == (3, "error: template.yaml:4: parameter Mode is 'request', not one of TOKEN, REQUEST\n")
    assert run_cli("check", "--parameter-overrides", "Mode").code == 2  # not KEY=VALUE


# The orders example plus two routes scopegate never sees: one on SAM's implicit API, one HttpApi.
UNGUARDED_TEMPLATE = TEMPLATE + """\
  Open:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/open/
      Handler: app.handler
      Runtime: python3.13
      Events:
        Ping: {Type: Api, Properties: {Path: /ping, Method: get}}
        Status: {Type: HttpApi, Properties: {Path: /status, Method: get}}
"""

UNGUARDED_GOLDEN = """\
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

Public routes (Auth: {Authorizer: NONE}: no token is asked, anyone can call them):
  ROUTE        FUNCTION  EVENT   LINE
  GET /health  Orders    Health  31

Rules:
  #  LINE  ROUTE                      REQUIREMENT           ID
  1  3     GET /orders                admin OR read:orders  GET /orders
  2  5     POST /orders               write:orders          POST /orders
  3  7     GET /orders/{id}           admin OR read:orders  GET /orders/{id}
  4  9     DELETE /orders/*           admin                 DELETE /orders/*
  5  11    POST /orders/{id}/refunds  refund:orders         POST /orders/{id}/refunds
  6  13    GET /orders/1              vip                   GET /orders/1
  7  15    * /admin/*                 DENY                  * /admin/*

Unguarded routes: 2 (see errors).
Coverage: every guarded route is matched by a rule.
Dead rules: none.
Wildcard reach (rules that also match these routes):
  rule 3 (GET /orders/{id}) -> GET /orders/{id}/refunds
Policy size by mode (budget 8192 bytes; the template deploys TOKEN):
  TOKEN    whole API  largest 680 bytes, 6 resources, for scopes [admin refund:orders write:orders] (every one of the 32 scope sets measured): fits
  REQUEST  one route  largest 331 bytes, 2 resources, for scopes [admin] on GET /orders/{id} (every one of the 35 scope sets measured): fits
Advice: TOKEN mode: every whole-API policy fits, and it invokes the authorizer once per token, not once per token and route.
Policy size per client of the decision tables (bytes):
  CLIENT   TOKEN  ONE ROUTE  LARGEST ROUTE
  reader     268        288  POST /orders/{id}/refunds
  admin      356        288  POST /orders/{id}/refunds
  writer     184        288  POST /orders/{id}/refunds
  nobody     173        288  POST /orders/{id}/refunds
Longest resource: 91 of 512 characters:
  arn:aws-us-gov:execute-api:ap-southeast-2:123456789012:abcdefghij/Dev/POST/orders/*/refunds

error: template.yaml:39: Open event Ping (GET /ping) is on SAM's implicit API (the event has no RestApiId), which no authorizer guards: anyone can call it; add RestApiId: !Ref Api, and Auth: {Authorizer: NONE} only if it must be public
error: template.yaml:40: Open event Status (GET /status) is an HttpApi event: HTTP APIs are not supported (scopegate is a TOKEN authorizer for REST APIs, and the tools read only Api events), so nothing checks this route against rules.yaml; use Type: Api with RestApiId: !Ref Api
FAILED: 2 errors, 0 warnings.
"""


def test_check_fails_on_a_route_that_skips_the_authorizer_even_without_strict(orders: Example) -> None:
    # GIVEN an Api event without RestApiId (SAM's implicit API) and an HttpApi event
    orders.template.write_text(UNGUARDED_TEMPLATE)
    # WHEN checked, strict or not
    relaxed, strict = run_cli("check"), run_cli("check", "--strict")
    # THEN both are errors with the template line and the fix; the public route is listed by name
    assert (relaxed.code, relaxed.out, relaxed.err) == (1, UNGUARDED_GOLDEN, "")
    assert (strict.code, strict.out) == (1, UNGUARDED_GOLDEN)


def test_check_json_names_public_and_unguarded_routes(orders: Example) -> None:
    orders.template.write_text(UNGUARDED_TEMPLATE)
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["public_routes"] == [{"route": "GET /health", "function": "Orders", "event": "Health", "line": 31}]
    assert [(r["problem"], r["resource"], r["event"], r["line"]) for r in report["unguarded_routes"]] == [
        ("IMPLICIT_API", "Open", "Ping", 39),
        ("HTTP_API", "Open", "Status", 40),
    ]
    assert report["ok"] is False
    assert report["errors"][:2] == [f"template.yaml:{r['line']}: {r['message']}" for r in report["unguarded_routes"]]


def test_check_lists_no_public_route_when_there_is_none(orders: Example) -> None:
    orders.template.write_text(TEMPLATE.replace(", Auth: {Authorizer: NONE}", ""))
    orders.rules.write_text(RULES + "  - route: GET /health\n    scopes: [health]\n")
    result = run_cli("check", "--strict")
    assert result.code == 0
    assert "\nPublic routes: none.\n" in result.out
    assert "(8 routes guarded by the authorizer, 0 public)" in result.out
