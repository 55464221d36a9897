"""The decision tables of policies/rules_test.yaml, one pytest case per (client, request).

The same tables `python -m scopegate_tools test` runs (and `make test` runs it too):
each client must be allowed exactly the routes it lists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scopegate_tools.cli.coverage import view_routes
from scopegate_tools.cli.decision_tables import Case, cases_for
from scopegate_tools.cli.sources import read_clients, read_rules, read_template
from scopegate_tools.cli.why import why

REPO = Path(__file__).resolve().parents[2]
RULES = read_rules(REPO / "policies" / "rules.yaml")
TEMPLATE = read_template(REPO / "template.yaml")
CLIENTS = read_clients(REPO / "policies" / "rules_test.yaml", TEMPLATE)
CASES = [case for client in CLIENTS for case in cases_for(client, view_routes(RULES, TEMPLATE.routes))]


def test_the_tables_have_cases_for_every_client_and_route() -> None:
    assert {(case.client.name, case.route) for case in CASES} == {
        (client.name, route) for client in CLIENTS for route in TEMPLATE.routes
    }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_decision_table_case(case: Case) -> None:
    decision = RULES.decide(case.request.method, case.request.path, case.client.caller)
    expected = "allowed" if case.expected_allowed else "denied"
    actual = "allowed" if decision.allowed else "denied"
    assert actual == expected, (
        f"policies/rules_test.yaml:{case.line}: {case.id} must be {expected}: {why(decision)}"
    )
