"""``check``: what each service re-checks (its scopes.toml) against the rules' requirement per route.

A downstream service re-checks scopes behind the gateway (defence in depth) as the
``scopes.toml`` beside its handler declares, and nowhere else (``scopegate_context``
offers no other re-check). Every route a function serves behind the authorizer must be declared,
and each declaration must mean what the rules require there: the same scope sets pass. A service
stricter than the rules refuses clients the gateway lets through (a 403 nobody can explain from
the rules); a looser one defends nothing. Either is an error, with a token that shows it.

Requirements are compared as what they mean, not as text: each becomes the set of its minimal
clauses (a clause is satisfied by holding one of its scopes; a rule's ``scopes`` give one clause
each, its ``any_scopes`` one clause together). For requirements without negation that set is
unique, so ``(read:orders OR admin) AND admin`` and ``admin`` compare equal, as they decide alike.

The declarations come from :mod:`scopegate_tools.cli.service_declarations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scopegate_tools.cli.coverage import RouteView, requirement_of
from scopegate_tools.cli.output import table
from scopegate_tools.cli.service_declarations import ServiceDeclaration
from scopegate_tools.cli.template_routes import TemplateRoute
from authorizer.rules import Rule

Clauses = frozenset[frozenset[str]]  # every clause needs one of its scopes
ANY_TOKEN: Clauses = frozenset()
NOBODY: Clauses = frozenset({frozenset()})


class Verdict(StrEnum):
    AGREES = "agrees"
    DISAGREES = "DISAGREES"
    GATEWAY_ONLY = "gateway only"  # declared gateway_only: nothing to compare
    NOT_DECLARED = "NOT DECLARED"


@dataclass(frozen=True, slots=True)
class RecheckRow:
    function: str
    route: str
    declared: str  # in words, as the service's RouteScopes describes it
    rules: str  # in words, as check's requirement table says it
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class RecheckReport:
    rows: tuple[RecheckRow, ...]
    errors: tuple[str, ...]


# --- pure: requirements as minimal clauses ---------------------------------------------------


def minimal(clauses: Iterable[frozenset[str]]) -> Clauses:
    """The clauses no other clause implies (an empty clause: nobody passes)."""
    found = set(clauses)
    if frozenset() in found:
        return NOBODY
    return frozenset(c for c in found if not any(other < c for other in found))


def rules_clauses(rules: Sequence[Rule]) -> Clauses:
    """The scopes the gateway requires of a request that these rules match (every one must hold).

    Conditions on who calls are not scopes, and services re-check scopes only: a deny rule with
    conditions (it spares every other caller) adds nothing, and a rule's clients, orgs and issuers
    are left out of its clause.
    """
    if any(rule.deny and not rule.conditions for rule in rules) or all(rule.deny for rule in rules):
        return NOBODY
    clauses: list[frozenset[str]] = []
    for rule in rules:
        if rule.deny:
            continue
        clauses.extend(frozenset({scope}) for scope in rule.scopes)
        if rule.any_scopes:
            clauses.append(rule.any_scopes)
    return minimal(clauses)


def declared_clauses(route: Any) -> Clauses:
    """What a service's RouteScopes requires (not for gateway_only routes)."""
    clauses: list[frozenset[str]] = []
    for requirement in route.requirements:
        if requirement.match == "all":
            clauses.extend(frozenset({scope}) for scope in requirement.scopes)
        else:
            clauses.append(frozenset(requirement.scopes))
    return minimal(clauses)


def passes(clauses: Clauses, granted: frozenset[str]) -> bool:
    return all(not clause.isdisjoint(granted) for clause in clauses)


def passing_only(first: Clauses, second: Clauses) -> frozenset[str] | None:
    """Scopes that pass ``first`` and fail ``second``, or None when there are none.

    A clause of ``second`` that no clause of ``first`` lies within fails the token holding every
    other scope either mentions, which still meets each clause of ``first``.
    """
    universe = frozenset().union(*first, *second)
    for clause in sorted(second, key=sorted):
        if not any(mine <= clause for mine in first):
            return universe - clause
    return None


def declaration_for(clauses: Clauses) -> str | None:
    """The scopes.toml value that says ``clauses`` (None for a route the rules deny to all)."""
    if clauses == NOBODY:
        return None
    if clauses == ANY_TOKEN:
        return "{ authenticated = true }"
    singles = sorted(next(iter(c)) for c in clauses if len(c) == 1)
    groups = sorted(sorted(c) for c in clauses if len(c) > 1)

    def names(scopes: Iterable[str]) -> str:
        return "[" + ", ".join(f'"{s}"' for s in scopes) + "]"

    tables = [f"{{ scopes = {names(singles)} }}"] if singles else []
    tables += [f"{{ any_scopes = {names(group)} }}" for group in groups]
    if len(groups) == 1 and singles:
        return f"{{ scopes = {names(singles)}, any_scopes = {names(groups[0])} }}"
    return tables[0] if len(tables) == 1 else "[" + ", ".join(tables) + "]"


def _token(scopes: frozenset[str]) -> str:
    return f"[{' '.join(sorted(scopes))}]" if scopes else "no scopes"


def _fix(clauses: Clauses) -> str:
    value = declaration_for(clauses)
    if value is None:
        return "the rules deny it to every token: remove the route, or declare { gateway_only = true }"
    return f"declare it as the rules say: {value}"


# --- pure: the comparison ----------------------------------------------------------------------


def _compare_route(
    service: ServiceDeclaration, route: TemplateRoute, declared: Any, view: RouteView
) -> tuple[RecheckRow, str | None]:
    where = f"{service.source}: {route.text} ({service.function}, template line {route.line})"
    groups = view.groups()
    rules_text = (
        requirement_of(groups[0][1])
        if len(groups) == 1
        else "; ".join(f"{request.text}: {requirement_of(rules)}" for request, rules in groups)
    )
    if declared is None:
        rules = rules_clauses(groups[0][1]) if len(groups) == 1 else NOBODY
        value = declaration_for(rules) or "{ gateway_only = true }"
        row = RecheckRow(service.function, route.text, "-", rules_text, Verdict.NOT_DECLARED)
        return row, (
            f"{where} is not declared, so the service answers 500 there; "
            f'add the line "{route.text}" = {value}'
        )
    if declared.gateway_only:
        return RecheckRow(service.function, route.text, declared.describe(), rules_text, Verdict.GATEWAY_ONLY), None
    if len(groups) > 1:
        row = RecheckRow(service.function, route.text, declared.describe(), rules_text, Verdict.DISAGREES)
        return row, (
            f"{where}: the rules require different scopes on different requests of this route "
            f"({rules_text}), which one declaration per route cannot follow; "
            "declare { gateway_only = true }, or give the route one requirement in the rules"
        )
    required = rules_clauses(groups[0][1])
    mine = declared_clauses(declared)
    if mine == required:
        return RecheckRow(service.function, route.text, declared.describe(), rules_text, Verdict.AGREES), None
    row = RecheckRow(service.function, route.text, declared.describe(), rules_text, Verdict.DISAGREES)
    head = f"{where} re-checks {declared.describe()}, but the rules require {rules_text}"
    refused = passing_only(required, mine)
    if refused is not None:
        return row, (
            f"{head}: a token with {_token(refused)} passes the gateway and then the service refuses it "
            f"(403); {_fix(required)}"
        )
    let_through = passing_only(mine, required)
    return row, (
        f"{head}: the service lets a token with {_token(let_through or frozenset())} through, which the "
        f"rules refuse, so the re-check defends nothing there; {_fix(required)}"
    )


def compare_rechecks(services: Sequence[ServiceDeclaration], views: Sequence[RouteView]) -> RecheckReport:
    """Each service's declarations against the rules' effective requirement of its routes."""
    by_route = {(view.route.method, view.route.path): view for view in views}
    rows: list[RecheckRow] = []
    errors: list[str] = []
    for service in services:
        served = {route.text for route in service.guarded}
        public = {route.text for route in service.public}
        for route in service.guarded:
            row, error = _compare_route(
                service, route, service.routes.get(route.text), by_route[(route.method, route.path)]
            )
            rows.append(row)
            if error:
                errors.append(error)
        for key in service.routes:
            if key in public:
                errors.append(
                    f"{service.source}: declares {key}, a public route of {service.function} "
                    "(Authorizer: NONE): no principal reaches the service there; remove it"
                )
            elif key not in served:
                errors.append(
                    f"{service.source}: declares {key}, which the template does not route to "
                    f"{service.function} behind the authorizer; remove it or fix the route"
                )
    return RecheckReport(tuple(rows), tuple(errors))


def render_rechecks(report: RecheckReport) -> list[str]:
    """The text section of ``check``'s report."""
    lines = ["", "Service re-checks (scopes.toml of each service against the effective requirement):"]
    lines += table(
        ["FUNCTION", "ROUTE", "RE-CHECK", "RULES", "VERDICT"],
        [[row.function, row.route, row.declared, row.rules, row.verdict] for row in report.rows],
        indent=2,
    )
    return lines


def rechecks_json(report: RecheckReport) -> list[dict[str, str]]:
    return [
        {"function": r.function, "route": r.route, "declared": r.declared, "rules": r.rules, "verdict": str(r.verdict)}
        for r in report.rows
    ]
