"""``test``: the decision tables of rules_test.yaml run against the rules (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scopegate_tools.cli.coverage import RouteView
from scopegate_tools.cli.decision_tables import Client, Outcome, cases_for, run_cases
from scopegate_tools.cli.output import plural
from scopegate_tools.cli.why import missing_of, why
from authorizer.rules import RuleSet


def run_tables(
    ruleset: RuleSet, views: Sequence[RouteView], clients: Sequence[Client]
) -> tuple[Outcome, ...]:
    return tuple(outcome for client in clients for outcome in run_cases(ruleset, cases_for(client, views)))


def _failure(outcome: Outcome) -> str:
    case = outcome.case
    must = "allowed" if case.expected_allowed else "denied"
    got = "allowed" if outcome.decision.allowed else "denied"
    via = "" if case.request.text == case.route.text else f" (route {case.route.text})"
    return (
        f"{case.client.label}: {case.request.text}{via} must be {must} but is {got}: {why(outcome.decision)}"
    )


def render_tables(outcomes: Sequence[Outcome], clients: Sequence[Client], tables: str) -> str:
    failures = [o for o in outcomes if not o.passed]
    lines = []
    for client in clients:
        mine = [o for o in outcomes if o.case.client == client]
        bad = sum(not o.passed for o in mine)
        lines.append(
            f"{'FAIL' if bad else 'ok  '}  {client.label} (line {client.line}): {plural(len(mine), 'case')}, {bad} failed"
        )
    for outcome in failures:
        case = outcome.case
        lines.append(f"{tables}:{case.line}: {_failure(outcome)}")
    passed = len(outcomes) - len(failures)
    lines.append(f"{'FAILED' if failures else 'OK'}: {passed} of {len(outcomes)} cases passed.")
    return "\n".join(lines) + "\n"


def tables_json(outcomes: Sequence[Outcome], tables: str) -> dict[str, Any]:
    return {
        "ok": all(o.passed for o in outcomes),
        "tables": tables,
        "cases": [
            {
                "client": o.case.client.name,
                "client_id": o.case.client.client_id,
                "org_id": o.case.client.org_id,
                "issuer": o.case.client.issuer,
                "request": o.case.request.text,
                "route": o.case.route.text,
                "expected": "allowed" if o.case.expected_allowed else "denied",
                "actual": "allowed" if o.decision.allowed else "denied",
                "passed": o.passed,
                "line": o.case.line,
                "reason": o.decision.reason,
                "rules": list(o.decision.matched_ids),
                "missing_scopes": list(o.decision.missing_scopes),
                "missing": missing_of(o.decision).as_json(),
            }
            for o in outcomes
        ],
    }
