"""A rules decision in words, for the text output of explain, test and diff (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from authorizer.conditions import WHAT
from authorizer.errors import Reason
from authorizer.rules import RouteDecision, Rule


@dataclass(frozen=True, slots=True)
class MissingScopes:
    """What a denied token lacks: every scope of ``all_of``, and one scope of each ``one_of`` group."""

    all_of: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()

    def as_json(self) -> dict[str, list]:
        return {"all_of": list(self.all_of), "one_of": [list(group) for group in self.one_of]}


def rule_label(rule: Rule) -> str:
    """``rule 3 (GET /orders/*)``, with the id when it differs from the route."""
    name = rule.route.text if rule.id == rule.route.text else f"{rule.id}: {rule.route.text}"
    return f"rule {rule.index} ({name})"


def missing_of(decision: RouteDecision) -> MissingScopes:
    """What the token lacks to satisfy the rules that failed, AND and OR kept apart.

    ``decision.missing_scopes`` holds only scopes the token lacks, so a failed rule lacks exactly
    its ``scopes`` among them, and its ``any_scopes`` are unmet exactly when all of them are among
    them. A ``deny`` rule is never satisfied: then nothing is missing that a scope could supply.
    """
    if decision.allowed or any(rule.deny for rule in decision.failed):
        return MissingScopes()
    lacking = frozenset(decision.missing_scopes)
    all_of: dict[str, None] = {}
    groups: list[frozenset[str]] = []
    for rule in decision.failed:
        all_of.update(dict.fromkeys(sorted(rule.scopes & lacking)))
        if rule.any_scopes and rule.any_scopes <= lacking:
            if len(rule.any_scopes) == 1:
                all_of.update(dict.fromkeys(rule.any_scopes))
            else:
                groups.append(rule.any_scopes)
    needed = frozenset(all_of)
    one_of: list[frozenset[str]] = []
    for group in groups:
        if group & needed:
            continue  # the scopes needed anyway satisfy it
        if any(other < group for other in groups) or group in one_of:
            continue  # one of a smaller group satisfies it too
        one_of.append(group)
    return MissingScopes(tuple(all_of), tuple(tuple(sorted(group)) for group in one_of))


def missing_text(missing: MissingScopes) -> str:
    """``missing a``, ``missing all of: a, b``, ``missing one of: a, b``, or both kinds joined.

    Empty when nothing is missing.
    """
    pieces: list[tuple[str, bool]] = []  # (words, whether they end in a list)
    if len(missing.all_of) == 1:
        pieces.append((missing.all_of[0], False))
    elif missing.all_of:
        pieces.append((f"all of: {', '.join(missing.all_of)}", True))
    pieces += [(f"one of: {', '.join(group)}", True) for group in missing.one_of]
    if not pieces:
        return ""
    text = f"missing {pieces[0][0]}"
    for (_, after_list), (words, _) in zip(pieces, pieces[1:]):
        text += f"; and {words}" if after_list else f" and {words}"  # "; " closes a list
    return text


def why(decision: RouteDecision) -> str:
    """Why the rules decided as they did: the rules that matched, and what the token lacks."""
    if decision.reason is Reason.NO_MATCHING_RULE:
        if decision.matched:  # deny rules whose conditions spare this caller, and nothing else
            return "no rule grants it (" + "; ".join(
                f"{rule_label(rule)} denies only {rule.conditions.text}" for rule in decision.matched
            ) + ")"
        return "no rule matches"
    if decision.allowed:
        return "; ".join(f"{rule_label(rule)} needs {rule.requirement}" for rule in decision.matched)
    parts = []
    for rule in decision.failed:
        if rule.deny:
            named = f" ({rule.conditions.text})" if rule.conditions else ""
            parts.append(f"{rule_label(rule)} denies it{named}")
        else:
            parts.append(f"{rule_label(rule)} needs {rule.requirement}")
    parts += [f"{WHAT[key]} not among those named" for key in decision.unmet_conditions]
    missing = missing_text(missing_of(decision))
    return "; ".join(parts + [missing] if missing else parts)
