"""The largest policy the authorizer can return for a rule set (pure).

The policy depends on the scopes only through which rules they satisfy
(:meth:`RuleSet.partition`). Every resource of every rule appears exactly once,
in the Allow or in the Deny statement, so the resource count is the same for
every token and the size varies only by which statements are present. The
largest policy is therefore found among few scope sets: none, every scope the
rules name, and for each rule the smallest sets that satisfy it (its
``scopes`` plus one of its ``any_scopes``) alone and together with the other
rules sharing a resource. Each candidate is built with the authorizer's own
:func:`build_policy_document` and measured with :func:`policy_size`.

Sizes use a worst-case-length API prefix (longest partition and region, a
10-character API id) on the template's stage, so a deployed policy is never
larger than reported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from authorizer.arn import ApiStage
from authorizer.policy import MAX_RESOURCE_LENGTH, build_policy_document, policy_size
from authorizer.rules import Rule, RuleSet

DEFAULT_BUDGET_BYTES = 8192
MAX_CANDIDATES = 4096


def worst_case_api(stage: str) -> ApiStage:
    return ApiStage("aws-us-gov", "ap-southeast-2", "123456789012", "abcdefghij", stage)


@dataclass(frozen=True, slots=True)
class PolicyBudget:
    largest_bytes: int
    resources: int
    scopes: tuple[str, ...]  # a scope set that gives the largest policy
    budget_bytes: int
    longest_resource: str
    longest_rule: Rule

    @property
    def over_budget(self) -> bool:
        return self.largest_bytes > self.budget_bytes

    @property
    def resource_too_long(self) -> bool:
        return len(self.longest_resource) > MAX_RESOURCE_LENGTH


def _minimal_sets(rule: Rule) -> list[frozenset[str]]:
    if rule.deny:
        return []
    if not rule.any_scopes:
        return [rule.scopes]
    return [rule.scopes | {choice} for choice in sorted(rule.any_scopes)]


def candidate_scope_sets(ruleset: RuleSet) -> list[frozenset[str]]:
    candidates: dict[frozenset[str], None] = {frozenset(): None, ruleset.known_scopes: None}
    for rule in ruleset.rules:
        for scopes in _minimal_sets(rule):
            candidates[scopes] = None
    sharing: dict[tuple[str, str], list[Rule]] = {}
    for rule in ruleset.rules:
        for method in rule.route.methods:
            sharing.setdefault((method, rule.route.pattern), []).append(rule)
    for group in sharing.values():
        if len(group) < 2:
            continue
        options = [_minimal_sets(rule) for rule in group if not rule.deny]
        for combo in itertools.islice(itertools.product(*options), MAX_CANDIDATES):
            candidates[frozenset().union(*combo)] = None
    return list(candidates)


def measure_policy(ruleset: RuleSet, stage: str, budget_bytes: int) -> PolicyBudget:
    """Measure the largest policy; with a resource past 512 characters, only that is reported."""
    api = worst_case_api(stage)
    longest_resource, longest_rule = "", ruleset.rules[0]
    for rule in ruleset.rules:
        for method in rule.route.methods:
            resource = api.resource(method, rule.route.pattern)
            if len(resource) > len(longest_resource):
                longest_resource, longest_rule = resource, rule
    if len(longest_resource) > MAX_RESOURCE_LENGTH:
        return PolicyBudget(0, 0, (), budget_bytes, longest_resource, longest_rule)
    best: tuple[int, int, tuple[str, ...]] = (-1, 0, ())
    for scopes in candidate_scope_sets(ruleset):
        document = build_policy_document(ruleset, scopes, api)
        size = policy_size(document)
        if size > best[0]:
            count = sum(len(statement["Resource"]) for statement in document["Statement"])
            best = (size, count, tuple(sorted(scopes)))
    return PolicyBudget(best[0], best[1], best[2], budget_bytes, longest_resource, longest_rule)
