"""``diff``: which (client, template route) decisions change between two rule sets (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scopegate_tools.cli.coverage import sample_requests
from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.output import table
from scopegate_tools.cli.template_routes import Request, TemplateRoute
from scopegate_tools.cli.why import why
from authorizer.rules import RuleSet


@dataclass(frozen=True, slots=True)
class Change:
    client: Client
    route: TemplateRoute
    before: str  # allowed | denied | partly allowed
    after: str
    requests: tuple[tuple[Request, bool, bool, str], ...]  # request, before, after, why now

    def as_json(self) -> dict[str, Any]:
        return {
            "client": self.client.name,
            "client_id": self.client.client_id,
            "org_id": self.client.org_id,
            "issuer": self.client.issuer,
            "route": self.route.text,
            "before": self.before,
            "after": self.after,
            "requests": [
                {
                    "request": r.text,
                    "before": "allowed" if b else "denied",
                    "after": "allowed" if a else "denied",
                    "why": w,
                }
                for r, b, a, w in self.requests
            ],
        }


def _summary(verdicts: list[bool]) -> str:
    return "allowed" if all(verdicts) else "denied" if not any(verdicts) else "partly allowed"


def diff_decisions(
    old: RuleSet, new: RuleSet, routes: Sequence[TemplateRoute], clients: Sequence[Client]
) -> tuple[Change, ...]:
    """Every pair whose decision changes on some sample request of either rule set."""
    requests = sample_requests((old, new), routes)
    changes = []
    for client in clients:
        for route in routes:
            rows, before, after = [], [], []
            for request in requests[route]:
                was = old.decide(request.method, request.path, client.caller)
                now = new.decide(request.method, request.path, client.caller)
                before.append(was.allowed)
                after.append(now.allowed)
                if was.allowed != now.allowed:
                    rows.append((request, was.allowed, now.allowed, why(now)))
            if rows:
                changes.append(Change(client, route, _summary(before), _summary(after), tuple(rows)))
    return tuple(changes)


def render_diff(changes: Sequence[Change], old: str, new: str) -> str:
    lines = [f"Decisions that change from {old} to {new}:"]
    if not changes:
        return lines[0] + " none.\n"
    rows = []
    for change in changes:
        first = change.requests[0]
        detail = f"e.g. {first[0].text}: {why_prefix(first[2])}{first[3]}"
        rows.append([change.client.label, change.route.text, f"{change.before} -> {change.after}", detail])
    lines += table(["CLIENT", "ROUTE", "DECISION", "NOW"], rows, indent=2)
    lines.append(f"{len(changes)} (client, route) pairs change.")
    return "\n".join(lines) + "\n"


def why_prefix(allowed_now: bool) -> str:
    return "allowed, " if allowed_now else "denied, "
