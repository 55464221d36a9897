"""Which rules match which template routes, decided by the rules themselves (pure).

Every answer comes from :meth:`RuleSet.matching` on the sample requests of
:mod:`scopegate_tools.cli.samples`; nothing here re-implements matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scopegate_tools.cli.samples import find_witness, generic_samples, sample_space
from scopegate_tools.cli.template_routes import Request, TemplateRoute
from authorizer.rules import Rule, RuleSet


@dataclass(frozen=True, slots=True)
class RouteView:
    """A template route, its sample requests and the rules matching each."""

    route: TemplateRoute
    requests: tuple[Request, ...]  # the generic samples first, then witnesses
    generic_count: int
    matched: tuple[tuple[Rule, ...], ...]  # per request, in rule order

    @property
    def witnesses(self) -> tuple[Request, ...]:
        """Requests found for rules that match only some requests of the route."""
        return self.requests[self.generic_count :]

    @property
    def uncovered(self) -> tuple[Request, ...]:
        """Generic requests no rule matches: the route is denied to everyone there."""
        return tuple(
            request for request, rules in zip(self.requests[: self.generic_count], self.matched) if not rules
        )

    @property
    def always(self) -> tuple[Rule, ...]:
        """Rules that match every request of the route."""
        generic = self.matched[: self.generic_count]
        if not generic:
            return ()
        return tuple(rule for rule in generic[0] if all(rule in rules for rules in generic))

    @property
    def reaching(self) -> tuple[Rule, ...]:
        """Rules that match at least one request of the route, in rule order."""
        seen = {rule.index: rule for rules in self.matched for rule in rules}
        return tuple(seen[index] for index in sorted(seen))

    @property
    def sometimes(self) -> tuple[Rule, ...]:
        always = set(self.always)
        return tuple(rule for rule in self.reaching if rule not in always)

    def groups(self) -> tuple[tuple[Request, tuple[Rule, ...]], ...]:
        """One example request per distinct set of matching rules."""
        found: dict[tuple[int, ...], tuple[Request, tuple[Rule, ...]]] = {}
        for request, rules in zip(self.requests, self.matched):
            found.setdefault(tuple(rule.index for rule in rules), (request, rules))
        return tuple(found.values())


def view_routes(ruleset: RuleSet, routes: Iterable[TemplateRoute]) -> tuple[RouteView, ...]:
    routes = tuple(routes)
    space = sample_space(ruleset, routes)
    views = []
    for route in routes:
        requests = list(generic_samples(route, space, routes))
        generic_count = len(requests)
        matched = [ruleset.matching(request.method, request.path) for request in requests]
        seen = {rule.index for rules in matched for rule in rules}
        for rule in ruleset.rules:
            if rule.index in seen:
                continue
            witness = find_witness(rule, route, space.generic, routes)
            if witness is not None:
                requests.append(witness)
                matched.append(ruleset.matching(witness.method, witness.path))
                seen.update(r.index for r in matched[-1])
        views.append(RouteView(route, tuple(requests), generic_count, tuple(matched)))
    return tuple(views)


def sample_requests(
    rulesets: Iterable[RuleSet], routes: Iterable[TemplateRoute]
) -> Mapping[TemplateRoute, tuple[Request, ...]]:
    """Each route's sample requests under every rule set (for comparing rule sets on the same requests)."""
    routes = tuple(routes)
    found: dict[TemplateRoute, dict[Request, None]] = {route: {} for route in routes}
    for ruleset in rulesets:
        for view in view_routes(ruleset, routes):
            found[view.route].update(dict.fromkeys(view.requests))
    return {route: tuple(requests) for route, requests in found.items()}


def requirement_of(rules: Iterable[Rule]) -> str:
    """The conjunction of the rules' requirements, in words (``Rule.requirement`` joined)."""
    rules = tuple(rules)
    if not rules:
        return "DENY (no rule matches)"
    if any(rule.deny and not rule.conditions for rule in rules):
        return "DENY"
    if all(rule.deny for rule in rules):
        return "DENY (no rule grants it)"
    parts: dict[str, None] = {}
    for rule in rules:
        if rule.deny:  # with conditions: it spares every other caller
            named = rule.conditions.text
            parts[f"NOT ({named})" if " AND " in named else f"NOT {named}"] = None
            continue
        text = rule.requirement
        if text == "any valid token":
            continue
        if " OR " in text and " AND " not in text and len(rules) > 1:
            text = f"({text})"
        parts[text] = None
    return " AND ".join(parts) if parts else "any valid token"


def names(rule: Rule, route: TemplateRoute) -> bool:
    """Whether ``rule`` is written for ``route`` itself (same path, parameters as ``*``)."""
    return rule.route.pattern == route.resource.iam_glob and any(m in rule.route.methods for m in route.methods)


def unmatched_rules(ruleset: RuleSet, views: Iterable[RouteView]) -> tuple[Rule, ...]:
    reached = {rule.index for view in views for rule in view.reaching}
    return tuple(rule for rule in ruleset.rules if rule.index not in reached)


def dead_rules(ruleset: RuleSet, views: Iterable[RouteView]) -> tuple[Rule, ...]:
    """Rules that grant something yet match no template route: typos, or routes since removed."""
    return tuple(rule for rule in unmatched_rules(ruleset, views) if not rule.deny)


def guard_rules(ruleset: RuleSet, views: Iterable[RouteView]) -> tuple[Rule, ...]:
    """Deny rules that match no template route yet: safeguards for routes someone might add."""
    return tuple(rule for rule in unmatched_rules(ruleset, views) if rule.deny)


def wildcard_reach(
    ruleset: RuleSet, views: Iterable[RouteView]
) -> tuple[tuple[Rule, tuple[TemplateRoute, ...]], ...]:
    """Each rule with a wildcard and the template routes it reaches besides the one it names."""
    views = tuple(views)
    found = []
    for rule in ruleset.rules:
        if not rule.route.has_wildcard:
            continue
        others = tuple(view.route for view in views if rule in view.reaching and not names(rule, view.route))
        if others:
            found.append((rule, others))
    return tuple(found)
