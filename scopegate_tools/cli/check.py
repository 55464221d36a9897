"""``check``: the rules against template.yaml (pure).

Unguarded routes, coverage, dead rules, wildcard reach, policy size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scopegate_tools.cli.caller_check import CallerCheck
from scopegate_tools.cli.coverage import (
    RouteView,
    dead_rules,
    guard_rules,
    requirement_of,
    view_routes,
    wildcard_reach,
)
from scopegate_tools.cli.output import plural, table
from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.mode_advice import REQUEST, SWITCH, ModeSizes, measure_modes, modes_json, render_modes
from scopegate_tools.cli.policy_budget import PolicyBudget
from scopegate_tools.cli.route_audit import RouteAudit, RouteProblem
from scopegate_tools.cli.service_declarations import ServiceDeclaration
from scopegate_tools.cli.sources import SAM_PUBLIC_DECLARATION
from scopegate_tools.cli.service_requirements import RecheckReport, compare_rechecks, rechecks_json, render_rechecks
from scopegate_tools.cli.template_routes import TemplateRoute
from scopegate_tools.cli.why import rule_label
from authorizer.policy import MAX_RESOURCE_LENGTH
from authorizer.rules import Rule, RuleSet
from scopegate_tools.sam_template import RouteSpec


@dataclass(frozen=True, slots=True)
class CheckReport:
    ruleset: RuleSet
    template: str
    views: tuple[RouteView, ...]
    public: tuple[RouteSpec, ...]  # declared public: listed, never an error
    unguarded: tuple[RouteProblem, ...]  # routes scopegate does not guard: always errors
    dead: tuple[Rule, ...]
    guards: tuple[Rule, ...]
    reach: tuple[tuple[Rule, tuple[TemplateRoute, ...]], ...]
    budget: PolicyBudget  # the deployed mode's
    strict: bool
    rechecks: RecheckReport = RecheckReport((), ())  # the services' scopes.toml (service_requirements)
    callers: CallerCheck = CallerCheck()  # the issuers file and the callers conditions name (caller_check)
    public_declaration: str = SAM_PUBLIC_DECLARATION  # how the route source declares a route public
    modes: ModeSizes | None = None  # both modes' sizes and the advice

    @property
    def errors(self) -> list[str]:
        found = [f"{self.template}:{problem.line}: {problem.message}" for problem in self.unguarded]
        found.extend(self.rechecks.errors)
        found.extend(self.callers.errors)
        for view in self.views:
            if view.uncovered:
                examples = ", ".join(request.text for request in view.uncovered[:3])
                found.append(
                    f"{view.route.text} (template line {view.route.line}) is matched by no rule "
                    f"(e.g. {examples}): it is denied to everyone; add a rule for it"
                )
        if self.strict:
            found.extend(self._dead_messages())
        if self.budget.resource_too_long:
            found.append(
                f"{rule_label(self.budget.longest_rule)} gives a resource of "
                f"{len(self.budget.longest_resource)} characters (limit {MAX_RESOURCE_LENGTH}); "
                "shorten the path or use a wildcard"
            )
        elif self.budget.over_budget:
            route = f" on {self.budget.route}" if self.budget.route else ""
            fix = "merge rules with wildcards"
            if not self.budget.route and self.modes is not None and self.modes.advised == REQUEST:
                fix = f"{SWITCH}, whose every policy fits, or {fix}"
            found.append(
                f"the policy for scopes [{' '.join(self.budget.scopes)}]{route} is {self.budget.largest_bytes} "
                f"bytes, over the budget of {self.budget.budget_bytes}; {fix}"
            )
        elif self.strict and self.budget.may_exceed:
            found.append(self._may_exceed_message())
        return found

    def _may_exceed_message(self) -> str:
        b = self.budget
        return (
            f"the largest policy found is {b.largest_bytes} bytes, but {b.scope_sets} scope sets are not all "
            f"there are and no policy is proven under {b.bound_bytes} bytes (budget {b.budget_bytes}); "
            "merge rules with wildcards"
        )

    @property
    def warnings(self) -> list[str]:
        found = [] if self.strict else self._dead_messages()
        found.extend(self.callers.warnings)
        if not self.strict and not self.budget.resource_too_long and self.budget.may_exceed:
            found.append(self._may_exceed_message())
        return found

    def _dead_messages(self) -> list[str]:
        return [
            f"{self.ruleset.source}:{rule.line}: {rule_label(rule)} matches no route of "
            f"{self.template}; remove it or add the route"
            for rule in self.dead
        ]


def run_check(
    ruleset: RuleSet,
    template: str,
    routes: Sequence[TemplateRoute],
    audit: RouteAudit,
    *,
    stage: str,
    budget_bytes: int,
    strict: bool,
    services: Sequence[ServiceDeclaration] = (),
    callers: CallerCheck | None = None,
    public_declaration: str = SAM_PUBLIC_DECLARATION,
    per_route: bool = False,
    clients: Sequence[Client] = (),
) -> CheckReport:
    """``per_route``: the routes are behind a REQUEST authorizer, whose policies cover one route
    each; the budget that must hold is then the per-route one. Both modes are measured, for the
    advice and for each client of the decision tables (``clients``)."""
    views = view_routes(ruleset, routes)
    modes = measure_modes(ruleset, routes, stage, budget_bytes, per_route_deployed=per_route, clients=clients)
    budget = modes.deployed_budget
    return CheckReport(
        modes=modes,
        ruleset=ruleset,
        template=template,
        views=views,
        public=audit.public,
        unguarded=audit.problems,
        dead=dead_rules(ruleset, views),
        guards=guard_rules(ruleset, views),
        reach=wildcard_reach(ruleset, views),
        budget=budget,
        strict=strict,
        rechecks=compare_rechecks(services, views),
        callers=callers or CallerCheck(),
        public_declaration=public_declaration,
    )


def _requirement_rows(view: RouteView) -> list[list[str]]:
    groups = view.groups()
    if len(groups) == 1:
        request, rules = groups[0]
        return [[view.route.text, "every request", requirement_of(rules), _ids(rules)]]
    rows = []
    for position, (request, rules) in enumerate(groups):
        label = request.text if request in view.witnesses else f"e.g. {request.text}"
        rows.append([view.route.text if position == 0 else "", label, requirement_of(rules), _ids(rules)])
    return rows


def _ids(rules: Sequence[Rule]) -> str:
    return ", ".join(str(rule.index) for rule in rules) or "-"


def render_check(report: CheckReport) -> str:
    rs, budget = report.ruleset, report.budget
    lines = [
        f"Rules {rs.source} (digest {rs.digest}, {plural(len(rs.rules), 'rule')}) against "
        f"{report.template} ({plural(len(report.views), 'route')} guarded by the authorizer, "
        f"{len(report.public)} public)",
        "",
        "Effective requirement per route (every rule that matches must be satisfied):",
    ]
    rows = [row for view in report.views for row in _requirement_rows(view)]
    lines += table(["ROUTE", "REQUESTS", "REQUIREMENT", "RULES"], rows, indent=2)
    lines.append("")
    if report.public:
        lines.append(f"Public routes ({report.public_declaration}: no token is asked, anyone can call them):")
        if report.public_declaration == SAM_PUBLIC_DECLARATION:
            header, rows = ["ROUTE", "FUNCTION", "EVENT", "LINE"], [
                [route.text, route.function, route.event, str(route.line)] for route in report.public
            ]
        else:  # OpenAPI and CloudFormation: the operation or method that declares it
            header, rows = ["ROUTE", "DECLARED BY", "LINE"], [
                [route.text, route.function, str(route.line)] for route in report.public
            ]
        lines += table(header, rows, indent=2)
    else:
        lines.append("Public routes: none.")
    lines += ["", "Rules:"]
    lines += table(
        ["#", "LINE", "ROUTE", "REQUIREMENT", "ID"],
        [[str(r.index), str(r.line), r.route.text, r.requirement, r.id] for r in rs.rules],
        indent=2,
    )
    lines.append("")
    lines.append(
        "Unguarded routes: none (every route reaches scopegate or is declared public)."
        if not report.unguarded
        else f"Unguarded routes: {len(report.unguarded)} (see errors)."
    )
    uncovered = [view for view in report.views if view.uncovered]
    lines.append(
        "Coverage: every guarded route is matched by a rule."
        if not uncovered
        else f"Coverage: {len(uncovered)} route(s) matched by no rule (see errors)."
    )
    lines.append(
        "Dead rules: none."
        if not report.dead
        else f"Dead rules: {len(report.dead)} (see {'errors' if report.strict else 'warnings'})."
    )
    if report.guards:
        lines.append(
            "Guard rules (deny rules that match no route yet; they stop a route added by mistake): "
            + ", ".join(rule_label(rule) for rule in report.guards)
        )
    if not report.reach:
        lines.append("Wildcard reach: no rule reaches a route besides the one it names.")
    else:
        lines.append("Wildcard reach (rules that also match these routes):")
        for rule, routes in report.reach:
            lines.append(f"  {rule_label(rule)} -> {', '.join(route.text for route in routes)}")
    if budget.resource_too_long:
        lines.append(
            f"Policy size: a resource is {len(budget.longest_resource)} characters, over {MAX_RESOURCE_LENGTH}:"
        )
    else:
        if report.modes is not None:
            lines += render_modes(report.modes)
        lines.append(f"Longest resource: {len(budget.longest_resource)} of {MAX_RESOURCE_LENGTH} characters:")
    lines.append(f"  {budget.longest_resource}")
    if report.callers.issuers is not None:
        lines.append(report.callers.summary())
    if report.rechecks.rows:
        lines += render_rechecks(report.rechecks)
    lines.append("")
    for message in report.errors:
        lines.append(f"error: {message}")
    for message in report.warnings:
        lines.append(f"warning: {message}")
    errors, warnings = len(report.errors), len(report.warnings)
    lines.append(f"{'FAILED' if errors else 'OK'}: {plural(errors, 'error')}, {plural(warnings, 'warning')}.")
    return "\n".join(lines) + "\n"


def check_json(report: CheckReport) -> dict[str, Any]:
    budget = report.budget
    return {
        "ok": not report.errors,
        "rules": {
            "source": report.ruleset.source,
            "digest": report.ruleset.digest,
            "count": len(report.ruleset.rules),
        },
        "template": report.template,
        "routes": [
            {
                "route": view.route.text,
                "line": view.route.line,
                "covered": not view.uncovered,
                "uncovered_examples": [r.text for r in view.uncovered],
                "requirements": [
                    {
                        "example": request.text,
                        "requirement": requirement_of(rules),
                        "rules": [r.id for r in rules],
                    }
                    for request, rules in view.groups()
                ],
                "always_rules": [r.id for r in view.always],
                "sometimes_rules": [r.id for r in view.sometimes],
            }
            for view in report.views
        ],
        "public_routes": [
            {"route": route.text, "function": route.function, "event": route.event, "line": route.line}
            for route in report.public
        ],
        "unguarded_routes": [
            {
                "problem": problem.problem.name,
                "resource": problem.resource,
                "event": problem.event,
                "line": problem.line,
                "message": problem.message,
            }
            for problem in report.unguarded
        ],
        "dead_rules": [{"id": r.id, "line": r.line} for r in report.dead],
        "guard_rules": [{"id": r.id, "line": r.line} for r in report.guards],
        "wildcard_reach": [
            {"rule": rule.id, "line": rule.line, "routes": [route.text for route in routes]}
            for rule, routes in report.reach
        ],
        "modes": modes_json(report.modes) if report.modes is not None else None,
        "policy": {
            "per_route": bool(budget.route),
            "route_of_largest": budget.route or None,
            "largest_bytes": budget.largest_bytes,
            "resources": budget.resources,
            "scopes_of_largest": list(budget.scopes),
            "exhaustive": budget.exhaustive,
            "scope_sets_measured": budget.scope_sets,
            "bound_bytes": budget.bound_bytes,
            "budget_bytes": budget.budget_bytes,
            "longest_resource": budget.longest_resource,
            "longest_resource_length": len(budget.longest_resource),
            "resource_limit": MAX_RESOURCE_LENGTH,
        },
        "service_rechecks": rechecks_json(report.rechecks),
        "callers": report.callers.as_json(),
        "errors": report.errors,
        "warnings": report.warnings,
    }
