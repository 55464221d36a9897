"""The largest policy the authorizer can return for a rule set (pure).

The policy depends on the scopes only through the scopes the rules name. With up to
:data:`EXHAUSTIVE_SCOPES` of them, every subset is built with the authorizer's own
:func:`build_policy_document` and measured with :func:`policy_size`: the figure is then
exact. With more, the candidates are few scope sets (none, every scope the rules name, and
for each rule the smallest sets that satisfy it, alone and together with the other rules
sharing a resource), and the figure is the largest policy found; the uncompacted policy
(every resource of every rule once) bounds every token's, since compaction only removes
resources, so :attr:`PolicyBudget.bound_bytes` holds for every scope set either way.

When rules name clients, orgs or issuers, the policy also depends on who calls, only through
the values the rules name (``RuleSet.relevant``): each scope set is measured for every
combination of those values and "none of them" (:func:`identities`), exhaustively while that
makes at most :data:`MAX_EXHAUSTIVE_CALLERS` callers, else for the candidate scope sets.

In per-route mode (template.yaml ``AuthorizerMode: REQUEST``) each policy covers one route:
:func:`measure_route_policies` measures :func:`build_route_policy_document` for every guarded
route and verb, over the scope sets of the rules that may reach that route only (a per-route
policy depends on no other rule), every subset when they name up to :data:`EXHAUSTIVE_SCOPES`.

Sizes use a worst-case-length API prefix (longest partition and region, a
10-character API id) on the template's stage, so a deployed policy is never
larger than reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from authorizer.caller import Caller
from authorizer.arn import ApiStage
from authorizer.policy import (
    MAX_RESOURCE_LENGTH,
    build_policy_document,
    policy_document,
    policy_size,
)
from authorizer.resource_path import ResourcePath
from authorizer.route_policy import build_route_policy_document, reaching_rules
from authorizer.rules import Rule, RuleSet

DEFAULT_BUDGET_BYTES = 8192
MAX_CANDIDATES = 4096
EXHAUSTIVE_SCOPES = 12  # 4,096 scope sets: measured one by one in well under a second
MAX_EXHAUSTIVE_CALLERS = 4096  # scope sets times identities measured one by one


def worst_case_api(stage: str) -> ApiStage:
    return ApiStage("aws-us-gov", "ap-southeast-2", "123456789012", "abcdefghij", stage)


@dataclass(frozen=True, slots=True)
class PolicyBudget:
    largest_bytes: int  # the largest policy measured (a real token's)
    resources: int
    scopes: tuple[str, ...]  # a scope set that gives the largest policy
    budget_bytes: int
    longest_resource: str
    longest_rule: Rule
    exhaustive: bool = True  # every scope set was measured: largest_bytes is the maximum
    scope_sets: int = 0  # how many were measured
    bound_bytes: int = 0  # no token's policy is larger (the uncompacted policy)
    route: str = ""  # per-route mode: the route of the largest policy ("GET /orders/{id}")

    @property
    def over_budget(self) -> bool:
        """Proven: some token gets a policy over the budget."""
        return self.largest_bytes > self.budget_bytes

    @property
    def may_exceed(self) -> bool:
        """Not proven either way: the largest found fits, the bound does not."""
        return not self.exhaustive and not self.over_budget and self.bound_bytes > self.budget_bytes

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


def full_policy_bound(ruleset: RuleSet, api: ApiStage) -> int:
    """Bytes no token's policy exceeds: every resource of every rule once, split over an Allow and a
    Deny statement (compaction only removes resources; one statement is smaller than two)."""
    every = sorted({method + rule.route.pattern for rule in ruleset.rules for method in rule.route.methods})
    one_statement = policy_size(policy_document(api, every, []))
    return one_statement + len(',{"Action":"execute-api:Invoke","Effect":"Deny","Resource":[]}')


def identities(ruleset: RuleSet) -> list[tuple[str | None, str | None, str | None]]:
    """Every (client, org, issuer) the rules tell apart: each value some rule names, or none of them."""
    named = ruleset.named
    return list(itertools.product(
        [None, *sorted(named.clients)], [None, *sorted(named.orgs)], [None, *sorted(named.issuers)]
    ))


def scope_sets_to_measure(ruleset: RuleSet) -> tuple[list[frozenset[str]], bool]:
    """The scope sets to build a policy for, and whether they are all there are (as the rules see them)."""
    named = sorted(ruleset.known_scopes)
    if len(named) <= EXHAUSTIVE_SCOPES and 2 ** len(named) * len(identities(ruleset)) <= MAX_EXHAUSTIVE_CALLERS:
        subsets = itertools.chain.from_iterable(itertools.combinations(named, n) for n in range(len(named) + 1))
        return [frozenset(subset) for subset in subsets], True
    return candidate_scope_sets(ruleset), False


def callers_to_measure(ruleset: RuleSet) -> tuple[list[Caller], bool]:
    """The callers to build a policy for, and whether they are all the rules tell apart."""
    scope_sets, exhaustive = scope_sets_to_measure(ruleset)
    return [Caller(scopes, *names) for scopes in scope_sets for names in identities(ruleset)], exhaustive


def _longest_resource(ruleset: RuleSet, api: ApiStage) -> tuple[str, Rule]:
    longest_resource, longest_rule = "", ruleset.rules[0]
    for rule in ruleset.rules:
        for method in rule.route.methods:
            resource = api.resource(method, rule.route.pattern)
            if len(resource) > len(longest_resource):
                longest_resource, longest_rule = resource, rule
    return longest_resource, longest_rule


def measure_policy(ruleset: RuleSet, stage: str, budget_bytes: int) -> PolicyBudget:
    """Measure the largest policy; with a resource past 512 characters, only that is reported."""
    api = worst_case_api(stage)
    longest_resource, longest_rule = _longest_resource(ruleset, api)
    if len(longest_resource) > MAX_RESOURCE_LENGTH:
        return PolicyBudget(0, 0, (), budget_bytes, longest_resource, longest_rule)
    best: tuple[int, int, tuple[str, ...]] = (-1, 0, ())
    callers, exhaustive = callers_to_measure(ruleset)
    for caller in callers:
        document = build_policy_document(ruleset, caller, api)
        size = policy_size(document)
        if size > best[0] or (size == best[0] and len(caller.scopes) < len(best[2])):
            count = sum(len(statement["Resource"]) for statement in document["Statement"])
            best = (size, count, tuple(sorted(caller.scopes)))
    bound = full_policy_bound(ruleset, api)
    return PolicyBudget(best[0], best[1], best[2], budget_bytes, longest_resource, longest_rule,
                        exhaustive, len(callers), max(bound, best[0]))


def _route_bound(reaching: list[Rule], api: ApiStage, method: str, resource: ResourcePath) -> int:
    """Bytes no per-route policy of this route exceeds: it holds some of its reaching rules'
    resources in an Allow and a Deny statement, or its covering globs in one."""
    resources = [method + glob for glob in sorted({rule.route.pattern for rule in reaching})]
    mixed = policy_size(policy_document(api, resources, [])) + len(
        ',{"Action":"execute-api:Invoke","Effect":"Deny","Resource":[]}'
    )
    covering = policy_size(policy_document(api, [method + glob for glob in resource.covering_globs], []))
    return max(mixed, covering)


def measure_route_policies(
    ruleset: RuleSet, routes: Sequence[tuple[str, ResourcePath]], stage: str, budget_bytes: int
) -> PolicyBudget:
    """The largest per-route policy over ``routes`` (verb, resource path) and every scope set."""
    api = worst_case_api(stage)
    longest_resource, longest_rule = _longest_resource(ruleset, api)
    if len(longest_resource) > MAX_RESOURCE_LENGTH:
        return PolicyBudget(0, 0, (), budget_bytes, longest_resource, longest_rule)
    best: tuple[int, int, tuple[str, ...], str] = (-1, 0, (), "")
    measured, exhaustive, bound = 0, True, 0
    for method, resource in routes:
        reaching = reaching_rules(ruleset, method, resource)
        relevant = RuleSet(tuple(reaching), ruleset.source, ruleset.digest,
                           frozenset().union(*(rule.scopes | rule.any_scopes for rule in reaching)))
        callers, complete = callers_to_measure(relevant) if reaching else ([Caller(frozenset())], True)
        exhaustive = exhaustive and complete
        measured += len(callers)
        bound = max(bound, _route_bound(reaching, api, method, resource))
        for caller in callers:
            document = build_route_policy_document(relevant, caller, api, method, resource)
            size = policy_size(document)
            if size > best[0] or (size == best[0] and len(caller.scopes) < len(best[2])):
                count = sum(len(statement["Resource"]) for statement in document["Statement"])
                best = (size, count, tuple(sorted(caller.scopes)), f"{method} {resource.text}")
    return PolicyBudget(best[0], best[1], best[2], budget_bytes, longest_resource, longest_rule,
                        exhaustive, measured, max(bound, best[0]), best[3])
