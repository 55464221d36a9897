"""The rules tools with conditions on the caller: tables name clients, explain takes --client and --org,
check warns about untested conditions and validates the issuers file."""

from __future__ import annotations

import json

from authorizer.rules import compile_rules
from scopegate_tools.cli.policy_budget import callers_to_measure, identities
from tests.support.keys import rsa_key
from tests.support.minting import auth0_claims, mint
from tests.support.orders_example import RULES, TABLES, Example
from tests.unit.cli.conftest import run_cli

CALLER_RULES = RULES.replace(
    "  - route: POST /orders/{id}/refunds\n    scopes: [refund:orders]\n",
    "  - route: POST /orders/{id}/refunds\n    scopes: [refund:orders]\n    clients: [billing-job]\n",
) + "  - id: no-partner-deletes\n    route: DELETE /orders/*\n    deny: true\n    clients: [partner]\n"
CALLER_TABLES = TABLES + """\
  - name: billing
    scopes: [refund:orders, read:orders, vip]
    client_id: billing-job
    allowed: [GET /orders, "GET /orders/{id}", "GET /orders/{id}/refunds", "POST /orders/{id}/refunds"]
  - name: partner
    scopes: [admin, vip]
    client_id: partner
    org_id: org_acme
    allowed: [GET /orders, "GET /orders/{id}", "GET /orders/{id}/refunds"]
"""


def with_callers(orders: Example, tables: str = CALLER_TABLES) -> None:
    orders.rules.write_text(CALLER_RULES)
    orders.tables.write_text(tables)


def test_decision_tables_name_their_clients_and_pass(orders: Example) -> None:
    with_callers(orders)
    result = run_cli("test")
    assert result.code == 0, result.out
    assert "ok    billing (client billing-job) (line 18): 42 cases, 0 failed" in result.out
    assert "ok    partner (client partner, org org_acme) (line 22): 42 cases, 0 failed" in result.out
    cases = json.loads(run_cli("test", "--format", "json").out)["cases"]
    assert {(c["client"], c["client_id"], c["org_id"]) for c in cases if c["client"] == "partner"} == {
        ("partner", "partner", "org_acme")
    }


def test_a_table_client_without_the_named_client_id_fails_and_says_why(orders: Example) -> None:
    with_callers(orders, CALLER_TABLES.replace("    client_id: billing-job\n", ""))
    result = run_cli("test")
    assert result.code == 1
    assert (
        "policies/rules_test.yaml:20: billing: POST /orders/x/refunds (route POST /orders/{id}/refunds) must be "
        "allowed but is denied: rule 5 (POST /orders/{id}/refunds) needs refund:orders AND client billing-job; "
        "client not among those named"
    ) in result.out


def test_a_table_client_id_must_be_a_string(orders: Example) -> None:
    with_callers(orders, CALLER_TABLES.replace("client_id: billing-job", "client_id: 12"))
    result = run_cli("test")
    assert (result.code, result.err) == (
        3, "error: policies/rules_test.yaml:20: client 'billing': 'client_id' must be a string without spaces "
        "(quote it if YAML reads it as a number)\n",
    )


def test_explain_decides_for_the_client_and_org_given(orders: Example) -> None:
    with_callers(orders)
    named = run_cli("explain", "POST /orders/1/refunds", "--scopes", "refund:orders", "--client", "billing-job",
                    "--org", "org_acme")
    other = run_cli("explain", "POST /orders/1/refunds", "--scopes", "refund:orders", "--client", "someone")
    assert "Caller: client billing-job, org org_acme" in named.out
    assert "  with these scopes: allowed (rule 5 (POST /orders/{id}/refunds) needs refund:orders AND client billing-job)" in named.out
    assert (
        "  with these scopes: denied (rule 5 (POST /orders/{id}/refunds) needs refund:orders AND client billing-job; "
        "client not among those named)"
    ) in other.out
    report = json.loads(run_cli("explain", "--client", "partner", "--format", "json").out)
    assert (report["scopes"], report["client_id"], report["org_id"]) == ([], "partner", None)


def test_explain_reads_the_caller_from_a_token_and_refuses_a_client_beside_it(orders: Example) -> None:
    with_callers(orders)
    token = mint(rsa_key("key-1"), auth0_claims(azp="billing-job", org_id="org_acme", scope="refund:orders"))
    result = run_cli("explain", "--token", token, "POST /orders/1/refunds")
    assert "Caller: client billing-job, org org_acme, issuer https://tenant.example.auth0.com/" in result.out
    assert "with these scopes: allowed" in result.out
    both = run_cli("explain", "--token", token, "--client", "x")
    assert (both.code, both.err) == (2, "error: --client, --org and --issuer name the caller of --scopes; a --token names its own\n")


def test_check_warns_about_a_condition_no_decision_table_tests(orders: Example) -> None:
    with_callers(orders, TABLES)
    result = run_cli("check")
    assert result.code == 0
    assert (
        "warning: policies/rules.yaml:11: rule 5 (POST /orders/{id}/refunds) names client billing-job, which no "
        "client of policies/rules_test.yaml has as its 'client_id': no decision table tests the condition; "
        "add a client with client_id: billing-job"
    ) in result.out
    assert "names client partner, which no client" in result.out
    # AND with the tables naming both clients, nothing is said
    with_callers(orders)
    assert "no decision table tests the condition" not in run_cli("check").out


def test_check_reports_every_problem_of_the_issuers_file_with_its_line(orders: Example) -> None:
    (orders.folder / "policies" / "issuers.yaml").write_text(
        "version: 1\nissuers:\n  - issuer: http://tenant.example/\n    audiences: [a]\n"
        "  - issuer: https://b.example/\n    audience: [a]\n"
    )
    result = run_cli("check")
    assert result.code == 1
    assert (
        "error: policies/issuers.yaml:3: issuer 1 (http://tenant.example/): 'issuer' must be an https URL "
        "(plain http is allowed only for 127.0.0.1 or localhost)"
    ) in result.out
    assert "error: policies/issuers.yaml:5: issuer 2 (https://b.example/): needs 'audiences'" in result.out
    assert "error: policies/issuers.yaml:6: issuer 2 (https://b.example/): unknown key 'audience'; did you mean 'audiences'?" in result.out
    assert "Issuers file policies/issuers.yaml: 3 problem(s) (see errors)." in result.out


def test_check_refuses_a_rule_naming_an_issuer_the_file_does_not_trust(orders: Example) -> None:
    orders.rules.write_text(RULES + '  - route: GET /reports\n    authenticated: true\n    issuers: ["https://c.example/"]\n')
    issuers = orders.folder / "trusted.yaml"
    issuers.write_text("version: 1\nissuers:\n  - issuer: https://a.example/\n    audiences: [a]\n")
    result = run_cli("check", "--issuers", str(issuers))
    assert (
        f"error: policies/rules.yaml:17: rule 8 (GET /reports) names issuer https://c.example/, which {issuers} does "
        "not trust: no token has that iss, so the rule never grants; fix the issuer or add it to the file"
    ) in result.out
    assert f"Issuers file {issuers}: 1 trusted (https://a.example/)." in result.out


def test_matrix_and_diff_show_who_each_client_is(orders: Example) -> None:
    with_callers(orders)
    text = run_cli("matrix").out
    assert "  partner  admin vip                      client partner, org org_acme  policies/rules_test.yaml:22" in text
    assert "  8  no-partner-deletes: DELETE /orders/*  DENY client partner (deny rule)             line 18" in text
    rows = json.loads(run_cli("matrix", "--format", "json").out)["rows"]
    assert [(row["name"], row["client_id"], row["org_id"]) for row in rows[-2:]] == [
        ("billing", "billing-job", None), ("partner", "partner", "org_acme"),
    ]
    (orders.folder / "old.yaml").write_text(RULES)
    diff = run_cli("diff", "old.yaml", "policies/rules.yaml")
    assert "  partner (client partner, org org_acme)  DELETE /orders/{id}" in diff.out


def test_the_policy_budget_measures_every_caller_the_rules_tell_apart() -> None:
    ruleset = compile_rules(CALLER_RULES, "rules.yaml")
    assert identities(ruleset) == [(None, None, None), ("billing-job", None, None), ("partner", None, None)]
    callers, exhaustive = callers_to_measure(ruleset)
    assert (len(callers), exhaustive) == (2 ** len(ruleset.known_scopes) * 3, True)
