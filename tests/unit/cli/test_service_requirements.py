"""python -m scopegate_tools check: each service's scopes.toml against the rules' effective requirement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scopegate_tools.cli.service_requirements import (
    NOBODY,
    declaration_for,
    minimal,
    passing_only,
    rules_clauses,
)
from authorizer.rules import compile_rules
from tests.unit.cli.conftest import run_cli

LAYER = Path(__file__).resolve().parents[3] / "services" / "shared"

TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Dev
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: ., Handler: authorizer.app.lambda_handler, Runtime: python3.13}}
  ContextLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {{ContentUri: {LAYER}}}
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/reports/
      Handler: app.lambda_handler
      Runtime: python3.13
      Layers: [!Ref ContextLayer]
      Events:
        List: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /reports, Method: get}}}}
        One: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: "/reports/{{id}}", Method: get}}}}
        Health: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /health, Method: get, Auth: {{Authorizer: NONE}}}}}}
"""

RULES = """\
version: 1
rules:
  - route: GET /reports
    any_scopes: [admin, read:reports]
  - route: GET /reports/*
    scopes: [read:reports]
"""

AGREEING = """\
version = 1

[routes]
"GET /reports" = { any_scopes = ["read:reports", "admin"] }
"GET /reports/{id}" = { scopes = ["read:reports"] }
"""


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A reports service laid out like the repository; returns its scopes.toml (to be written)."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "rules.yaml").write_text(RULES)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    service = tmp_path / "services" / "reports"
    service.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return service / "scopes.toml"


def test_a_service_that_agrees_with_the_rules_passes_and_is_listed(reports: Path) -> None:
    reports.write_text(AGREEING)
    result = run_cli("check")
    assert (result.code, result.err) == (0, "")
    assert (
        "Service re-checks (scopes.toml of each service against the effective requirement):\n"
        "  FUNCTION         ROUTE              RE-CHECK               RULES                  VERDICT\n"
        "  ReportsFunction  GET /reports       read:reports OR admin  admin OR read:reports  agrees\n"
        "  ReportsFunction  GET /reports/{id}  read:reports           read:reports           agrees\n"
    ) in result.out


def test_a_service_stricter_than_its_rule_fails_check_naming_a_token_it_would_refuse(reports: Path) -> None:
    # GIVEN the service requires read:reports where the rule allows admin OR read:reports (issue 14)
    reports.write_text(AGREEING.replace('{ any_scopes = ["read:reports", "admin"] }', '{ scopes = ["read:reports"] }'))

    # WHEN check runs
    result = run_cli("check")

    # THEN it fails, saying which token the gateway lets through and the service refuses, and the fix
    assert result.code == 1
    assert (
        "error: services/reports/scopes.toml: GET /reports (ReportsFunction, template line 27) re-checks "
        "read:reports, but the rules require admin OR read:reports: a token with [admin] passes the gateway "
        'and then the service refuses it (403); declare it as the rules say: { any_scopes = ["admin", "read:reports"] }\n'
    ) in result.out
    assert "  ReportsFunction  GET /reports       read:reports  admin OR read:reports  DISAGREES\n" in result.out
    assert result.out.endswith("FAILED: 1 error, 0 warnings.\n")


def test_a_service_looser_than_its_rule_fails_check_too(reports: Path) -> None:
    reports.write_text(AGREEING.replace('"GET /reports/{id}" = { scopes = ["read:reports"] }', '"GET /reports/{id}" = { any_scopes = ["read:reports", "admin"] }'))
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["errors"] == [
        "services/reports/scopes.toml: GET /reports/{id} (ReportsFunction, template line 28) re-checks "
        "read:reports OR admin, but the rules require read:reports: the service lets a token with [admin] "
        "through, which the rules refuse, so the re-check defends nothing there; "
        'declare it as the rules say: { scopes = ["read:reports"] }'
    ]
    assert [row["verdict"] for row in report["service_rechecks"]] == ["agrees", "DISAGREES"]


def test_an_undeclared_route_an_unknown_route_and_a_public_route_are_errors(reports: Path) -> None:
    reports.write_text(
        'version = 1\n[routes]\n"GET /reports" = { any_scopes = ["admin", "read:reports"] }\n'
        '"GET /report" = { scopes = ["read:reports"] }\n"GET /health" = { gateway_only = true }\n'
    )
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["errors"] == [
        "services/reports/scopes.toml: GET /reports/{id} (ReportsFunction, template line 28) is not declared, "
        'so the service answers 500 there; add the line "GET /reports/{id}" = { scopes = ["read:reports"] }',
        "services/reports/scopes.toml: declares GET /report, which the template does not route to "
        "ReportsFunction behind the authorizer; remove it or fix the route",
        "services/reports/scopes.toml: declares GET /health, a public route of ReportsFunction "
        "(Authorizer: NONE): no principal reaches the service there; remove it",
    ]


def test_a_gateway_only_route_is_listed_and_never_compared(reports: Path) -> None:
    reports.write_text(AGREEING.replace('{ scopes = ["read:reports"] }', "{ gateway_only = true }"))
    result = run_cli("check")
    assert result.code == 0
    assert "  ReportsFunction  GET /reports/{id}  nothing (gateway only)  read:reports           gateway only\n" in result.out


def test_a_route_whose_rules_vary_by_request_cannot_be_re_checked_per_route(reports: Path) -> None:
    (reports.parent.parent.parent / "policies" / "rules.yaml").write_text(RULES + "  - route: GET /reports/1\n    scopes: [vip]\n")
    reports.write_text(AGREEING)
    report = json.loads(run_cli("check", "--format", "json").out)
    assert report["errors"] == [
        "services/reports/scopes.toml: GET /reports/{id} (ReportsFunction, template line 28): the rules require "
        "different scopes on different requests of this route (GET /reports/x: read:reports; GET /reports/1: "
        "read:reports AND vip), which one declaration per route cannot follow; declare { gateway_only = true }, "
        "or give the route one requirement in the rules"
    ]


def test_a_broken_scopes_file_exits_3_naming_file_route_and_fix(reports: Path) -> None:
    reports.write_text('version = 1\n[routes]\n"GET /reports" = { scope = ["read:reports"] }\n')
    result = run_cli("check")
    assert (result.code, result.out, result.err) == (
        3, "", "error: services/reports/scopes.toml: route 'GET /reports': unknown key 'scope'; did you mean 'scopes'?\n"
    )


def test_a_scopes_file_without_the_layer_that_reads_it_exits_3(reports: Path) -> None:
    template = reports.parent.parent.parent / "template.yaml"
    template.write_text(template.read_text().replace("      Layers: [!Ref ContextLayer]\n", ""))
    reports.write_text(AGREEING)
    result = run_cli("check")
    assert (result.code, result.err) == (
        3,
        "error: services/reports/scopes.toml: ReportsFunction lists no layer with scopegate_context, so nothing "
        "reads this file; add `Layers: [!Ref ServiceContextLayer]` to the function in the template\n",
    )


def test_a_service_without_a_scopes_file_is_not_compared(reports: Path) -> None:
    result = run_cli("check", "--format", "json")
    assert (result.code, json.loads(result.out)["service_rechecks"]) == (0, [])


def test_the_tool_looks_for_the_file_name_the_layer_reads() -> None:
    from scopegate_context import SCOPES_FILE as LAYER_SCOPES_FILE

    from scopegate_tools.cli.service_declarations import SCOPES_FILE

    assert SCOPES_FILE == LAYER_SCOPES_FILE


# --- the comparison itself -------------------------------------------------------------------


def clauses(*groups: str) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(group.split()) for group in groups)


def test_minimal_drops_clauses_another_implies_and_an_empty_clause_means_nobody() -> None:
    assert minimal(clauses("admin read:orders", "admin", "refund:orders")) == clauses("admin", "refund:orders")
    assert minimal([frozenset(), frozenset({"a"})]) == NOBODY


def test_rules_clauses_join_every_matching_rule_and_deny_wins() -> None:
    rules = compile_rules(
        "version: 1\nrules:\n"
        "  - {route: '* /o/*', any_scopes: [read, admin]}\n"
        "  - {route: POST /o/*, scopes: [refund, admin]}\n"
        "  - {route: GET /o/*, authenticated: true}\n"
        "  - {route: PUT /o/*, deny: true}\n",
        "rules.yaml",
    )
    assert rules_clauses(rules.matching("POST", "/o/1")) == clauses("admin", "refund")
    assert rules_clauses(rules.matching("GET", "/o/1")) == clauses("read admin")
    assert rules_clauses(rules.matching("PUT", "/o/1")) == NOBODY
    assert rules_clauses(()) == NOBODY


def test_passing_only_finds_a_token_one_requirement_lets_through_and_the_other_refuses() -> None:
    assert passing_only(clauses("admin read:reports"), clauses("read:reports")) == frozenset({"admin"})
    assert passing_only(clauses("read:reports"), clauses("admin read:reports")) is None
    assert passing_only(clauses("a", "b"), clauses("a", "b")) is None
    assert passing_only(clauses("a"), NOBODY) == frozenset({"a"})
    assert passing_only(frozenset(), clauses("a")) == frozenset()


@pytest.mark.parametrize(
    ("given", "value"),
    [
        (clauses("a"), '{ scopes = ["a"] }'),
        (clauses("a", "b"), '{ scopes = ["a", "b"] }'),
        (clauses("b a"), '{ any_scopes = ["a", "b"] }'),
        (clauses("a", "b c"), '{ scopes = ["a"], any_scopes = ["b", "c"] }'),
        (clauses("a b", "c d"), '[{ any_scopes = ["a", "b"] }, { any_scopes = ["c", "d"] }]'),
        (clauses("x", "a b", "c d"), '[{ scopes = ["x"] }, { any_scopes = ["a", "b"] }, { any_scopes = ["c", "d"] }]'),
        (frozenset(), "{ authenticated = true }"),
        (NOBODY, None),
    ],
)
def test_declaration_for_writes_the_scopes_toml_value_of_a_requirement(given: frozenset[frozenset[str]], value: str | None) -> None:
    assert declaration_for(given) == value
