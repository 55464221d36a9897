"""python -m scopegate_tools matrix: who may call what, as text, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authorizer.caller import Caller
from authorizer.arn import ApiStage
from scopegate_tools.cli.coverage import sample_requests
from scopegate_tools.cli.matrix import Verdict, build_matrix, client_subjects, scope_subjects
from scopegate_tools.cli.sources import read_clients, read_rules, read_template
from scopegate_tools.iam import Verdict as IamVerdict
from scopegate_tools.iam import evaluate_policy
from authorizer.policy import build_policy_document
from tests.support.orders_example import RULES, TABLES, Example
from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[3]

TEXT_GOLDEN = """\
Access matrix: rules policies/rules.yaml (sha256 e007b5f7f840), routes of template.yaml, clients of policies/rules_test.yaml

ROUTE                      reader         admin          writer        nobody        scopes: read:orders
GET /orders                allow 1        allow 1        deny 1        deny 1        allow 1
POST /orders               deny 2         deny 2         allow 2       deny 2        deny 2
GET /orders/{id}           allow 3 / 3+6  allow 3 / 3+6  deny 3 / 3+6  deny 3 / 3+6  allow 3 / deny 6
DELETE /orders/{id}        deny 4         allow 4        deny 4        deny 4        deny 4
POST /orders/{id}/refunds  deny 5         deny 5         deny 5        deny 5        deny 5
GET /orders/{id}/refunds   allow 3        allow 3        deny 3        deny 3        allow 3
ANY /admin/{proxy+}        deny 7         deny 7         deny 7        deny 7        deny 7

Columns:
  NAME                 SCOPES           FROM
  reader               read:orders vip  policies/rules_test.yaml:3
  admin                admin vip        policies/rules_test.yaml:9
  writer               write:orders     policies/rules_test.yaml:12
  nobody               (none)           policies/rules_test.yaml:15
  scopes: read:orders  read:orders      --scopes

Rules (policies/rules.yaml):
  #  RULE                       REQUIREMENT                 WHERE
  1  GET /orders                needs admin OR read:orders  line 3
  2  POST /orders               needs write:orders          line 5
  3  GET /orders/{id}           needs admin OR read:orders  line 7
  4  DELETE /orders/*           needs admin                 line 9
  5  POST /orders/{id}/refunds  needs refund:orders         line 11
  6  GET /orders/1              needs vip                   line 13
  7  * /admin/*                 DENY (deny rule)            line 15

Public routes (Authorizer: NONE; anyone may call them, the rules are not consulted): GET /health

Each cell is the authorizer's decision (RuleSet.decide) and the rules that made it:
  allow 4+5       rules 4 and 5 match and the scopes satisfy both
  deny 3          rule 3 matches and the caller does not satisfy it (or it is a deny rule naming it)
  deny (no rule)  no rule matches
  A / B           the route's requests are decided differently; explain 'METHOD /path' shows them
"""


def test_text_puts_routes_in_rows_and_names_the_deciding_rules_by_number(orders: Example) -> None:
    result = run_cli("matrix", "--scopes", "read:orders")
    assert (result.code, result.out, result.err) == (0, TEXT_GOLDEN, "")


def test_a_route_no_rule_matches_is_denied_with_no_rule(orders: Example) -> None:
    # GIVEN the rules without their GET /orders rule
    orders.rules.write_text(RULES.replace("  - route: GET /orders\n    any_scopes: [read:orders, admin]\n", ""))
    orders.tables.write_text(TABLES.replace("      - GET /orders\n", "").replace("[GET /orders, ", "["))
    # WHEN
    result = run_cli("matrix")
    # THEN
    row = next(line for line in result.out.splitlines() if line.startswith("GET /orders "))
    assert row.split("  ")[0] == "GET /orders"
    assert row.split()[2:] == ["deny", "(no", "rule)"] * 4


MARKDOWN_ROWS = [
    "| client | scopes | `GET /orders` | `POST /orders` | `GET /orders/{id}` | `DELETE /orders/{id}` "
    "| `POST /orders/{id}/refunds` | `GET /orders/{id}/refunds` | `ANY /admin/{proxy+}` |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    "| **writer** | `write:orders` | **deny** `GET /orders` needs admin OR read:orders | **allow** `POST /orders` "
    "| `GET /orders/x`: **deny** `GET /orders/{id}` needs admin OR read:orders<br>`GET /orders/1`: **deny** "
    "`GET /orders/{id}` needs admin OR read:orders; `GET /orders/1` needs vip | **deny** `DELETE /orders/*` "
    "needs admin | **deny** `POST /orders/{id}/refunds` needs refund:orders | **deny** `GET /orders/{id}` "
    "needs admin OR read:orders | **deny** deny rule `* /admin/*` |",
    "| **scopes: read:orders** | `read:orders` | **allow** `GET /orders` | **deny** `POST /orders` needs "
    "write:orders | `GET /orders/x`: **allow** `GET /orders/{id}`<br>`GET /orders/1`: **deny** "
    "`GET /orders/1` needs vip | **deny** `DELETE /orders/*` needs admin | **deny** `POST /orders/{id}/refunds` "
    "needs refund:orders | **allow** `GET /orders/{id}` | **deny** deny rule `* /admin/*` |",
]


def test_markdown_puts_clients_in_rows_with_the_deciding_rules_route_text(orders: Example) -> None:
    result = run_cli("matrix", "--format", "markdown", "--scopes", "read:orders")
    lines = result.out.splitlines()
    assert (result.code, lines[0]) == (0, "## Access matrix")
    assert [lines[4], lines[5], lines[8], lines[10]] == MARKDOWN_ROWS
    assert "| 7 | \\* /admin/\\* | DENY (deny rule) | 15 |" in lines


def test_markdown_escapes_names_that_would_be_markup(orders: Example) -> None:
    orders.tables.write_text(TABLES.replace("name: nobody", 'name: "<b>x</b> | *y*"'))
    result = run_cli("matrix", "--format", "markdown", "--scopes", "a|b `c`")
    rows = [line for line in result.out.splitlines() if line.startswith("| **")]
    assert rows[3].startswith("| **\\<b\\>x\\</b\\> \\| \\*y\\*** | (none) | ")
    assert rows[4].startswith("| **scopes: \\`c\\` a\\|b** | \\`c\\` `a\\|b` | ")
    # the table keeps its columns: one more '|' than cells, counting only unescaped ones
    assert {row.replace("\\|", "").count("|") for row in rows} == {10}


def test_json_gives_every_kind_of_request_with_its_decision(orders: Example) -> None:
    report = json.loads(run_cli("matrix", "--format", "json", "--scopes", "read:orders").out)
    row = report["rows"][-1]
    assert (row["name"], row["origin"], row["scopes"]) == ("scopes: read:orders", "--scopes", ["read:orders"])
    cell = row["cells"][2]
    assert (cell["route"], cell["decision"]) == ("GET /orders/{id}", "partly allowed")
    assert cell["kinds"] == [
        {
            "request": "GET /orders/x",
            "allowed": True,
            "reason": "allowed",
            "rules": ["GET /orders/{id}"],
            "missing_scopes": [],
            "why": "rule 3 (GET /orders/{id}) needs admin OR read:orders",
        },
        {
            "request": "GET /orders/1",
            "allowed": False,
            "reason": "insufficient_scope",
            "rules": ["GET /orders/1"],
            "missing_scopes": ["vip"],
            "why": "rule 6 (GET /orders/1) needs vip; missing vip",
        },
    ]
    assert (report["routes"][-1], report["public_routes"], report["tables"]) == (
        "ANY /admin/{proxy+}", ["GET /health"], "policies/rules_test.yaml"
    )


def test_every_cell_is_what_the_authorizers_policy_decides_on_each_request(orders: Example) -> None:
    # GIVEN the matrix of the example's clients and a few scope sets
    ruleset = read_rules(orders.rules)
    template = read_template(orders.template)
    subjects = client_subjects(read_clients(orders.tables, template), "t") + scope_subjects(
        ["read:orders", "admin refund:orders", "vip", ""]
    )
    requests = sample_requests((ruleset,), template.routes)
    matrix = build_matrix(ruleset, requests, subjects, template="t", tables="t")
    api = ApiStage("aws", "eu-west-1", "123456789012", "abc123", "Dev")
    # THEN each cell's verdict is the one API Gateway reaches with the policy the authorizer returns
    for subject, row in zip(matrix.subjects, matrix.rows):
        policy = build_policy_document(ruleset, Caller.holding(subject.scopes), api)
        for cell in row:
            allowed = {
                evaluate_policy(policy, api.resource(r.method, r.path)) is IamVerdict.ALLOW
                for r in requests[cell.route]
            }
            expected = {frozenset({True}): Verdict.ALLOWED, frozenset({False}): Verdict.DENIED}.get(
                frozenset(allowed), Verdict.PARTLY
            )
            assert cell.verdict is expected, (subject.name, cell.route.text)
            assert {kind.decision.allowed for kind in cell.kinds} == allowed


def test_the_shipped_matrix_allows_each_client_exactly_the_routes_its_table_lists() -> None:
    ruleset = read_rules(REPO / "policies" / "rules.yaml")
    template = read_template(REPO / "template.yaml")
    clients = read_clients(REPO / "policies" / "rules_test.yaml", template)
    matrix = build_matrix(
        ruleset,
        sample_requests((ruleset,), template.routes),
        client_subjects(clients, "t"),
        template="t",
        tables="t",
    )
    for client, row in zip(clients, matrix.rows):
        allowed = {cell.route for cell in row if cell.verdict is Verdict.ALLOWED}
        assert (client.name, allowed) == (client.name, set(client.allowed_routes))
        assert all(cell.verdict is not Verdict.PARTLY for cell in row)


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        (['read:"orders"'], "--scopes 'read:\"orders\"': 'read:\"orders\"' is not a scope name"),
        (["a b", "b  a"], "--scopes 'b  a': the same scope set is given twice; give it once"),
    ],
)
def test_scopes_no_token_could_hold_exit_2(orders: Example, scopes: list[str], message: str) -> None:
    result = run_cli("matrix", *(arg for text in scopes for arg in ("--scopes", text)))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"error: {message}")


def test_tables_that_do_not_load_exit_3(orders: Example) -> None:
    orders.tables.write_text(TABLES.replace("allowed: [POST /orders]", "allowed: [POST /invoices]"))
    result = run_cli("matrix", "--format", "json")
    assert result.code == 3
    assert json.loads(result.out)["error"]["kind"] == "input"
    assert result.err.startswith("error: policies/rules_test.yaml:14: client 'writer': POST /invoices is not a route")


def test_an_html_file_that_cannot_be_written_exits_2(orders: Example) -> None:
    result = run_cli("matrix", "--html", "no/such/folder/matrix.html")
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: --html no/such/folder/matrix.html: cannot write the page (No such file or directory)\n"
