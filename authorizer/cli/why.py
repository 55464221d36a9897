"""A rules decision in words, for the text output of explain, test and diff (pure)."""

from __future__ import annotations

from authorizer.rules import RouteDecision, Rule


def rule_label(rule: Rule) -> str:
    """``rule 3 (GET /orders/*)``, with the id when it differs from the route."""
    name = rule.route.text if rule.id == rule.route.text else f"{rule.id}: {rule.route.text}"
    return f"rule {rule.index} ({name})"


def why(decision: RouteDecision) -> str:
    """Why the rules decided as they did: the rules that matched, the scopes missing."""
    if decision.reason == "no_matching_rule":
        return "no rule matches"
    if decision.allowed:
        return "; ".join(f"{rule_label(rule)} needs {rule.requirement}" for rule in decision.matched)
    parts = []
    for rule in decision.failed:
        if rule.deny:
            parts.append(f"{rule_label(rule)} denies it")
        else:
            parts.append(f"{rule_label(rule)} needs {rule.requirement}")
    text = "; ".join(parts)
    if decision.missing_scopes:
        text += f"; missing {' '.join(decision.missing_scopes)}"
    return text
