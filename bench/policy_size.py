"""Policy size per token at 10, 100 and 1,000 rules: every resource of every rule, and compact.

The rules are rules_scale's generated ones (five shapes per service). The full policy is
``policy_document(api, *policy_resources(...))``, what scopegate returned before compaction;
the compact one is ``build_policy_document``, what it returns now. Build times are CPU time of
the building thread, medians: "first" clears the caches a container builds once per rule set
(the index of the rule set's resources), "fresh" is a scope set the engine has not memoised.

Run alone (a few seconds): ``.venv/bin/python -m bench.policy_size``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from authorizer.arn import parse_method_arn
from authorizer.glob_index import index_globs, reach
from authorizer.policy import (
    build_policy_document,
    policy_document,
    policy_resources,
    policy_size,
)
from authorizer.rules import RuleSet, compile_rules
from bench.rules_scale import RULE_COUNTS, generated_rules, service_count
from bench.world import method_arn

API = parse_method_arn(method_arn("GET", "/")).api
ONE_SERVICE_READ_WRITE = "one service: read + write"
TOKENS = ("one service: read", ONE_SERVICE_READ_WRITE, "every read scope", "every scope")


@dataclass(frozen=True)
class PolicySizeRow:
    rules: int
    token: str
    full_bytes: int
    compact_bytes: int
    compact_resources: int
    fresh_ms: float  # build_policy_document for a scope set seen for the first time (median)


@dataclass(frozen=True)
class PolicySize:
    rows: list[PolicySizeRow]
    first_ms: float  # the largest rule set, its first policy in a container (median, caches cleared)

    def row(self, rules: int, token: str) -> PolicySizeRow:
        return next(row for row in self.rows if (row.rules, row.token) == (rules, token))


def scope_sets(ruleset: RuleSet, token: str, how_many: int) -> list[frozenset[str]]:
    """``how_many`` scope sets of the kind ``token`` names (one per service where it varies)."""
    services = service_count(len(ruleset.rules))
    picks = [n % services for n in range(how_many)]
    if token == "one service: read":
        return [frozenset({f"read:svc{n}"}) for n in picks]
    if token == ONE_SERVICE_READ_WRITE:
        return [frozenset({f"read:svc{n}", f"write:svc{n}"}) for n in picks]
    if token == "every read scope":
        return [frozenset(f"read:svc{n}" for n in range(services))] * how_many
    return [ruleset.known_scopes] * how_many


def _cpu_ms(action: Callable[[], object]) -> float:
    started = time.thread_time()
    action()
    return (time.thread_time() - started) * 1000


def _first_policy_ms(ruleset: RuleSet, repeats: int) -> float:
    granted = scope_sets(ruleset, ONE_SERVICE_READ_WRITE, 1)[0]

    def first_policy() -> None:
        index_globs.cache_clear()
        reach.cache_clear()
        build_policy_document(ruleset, granted, API)

    return statistics.median(_cpu_ms(first_policy) for _ in range(max(repeats, 1)))


def measure_policy_size(repeats: int) -> PolicySize:
    rows = []
    first_ms = 0.0
    for count in RULE_COUNTS:
        ruleset = compile_rules(generated_rules(count), "bench")
        for token in TOKENS:
            granted = scope_sets(ruleset, token, 1)[0]
            full = policy_document(API, *policy_resources(ruleset, granted, API))
            compact = build_policy_document(ruleset, granted, API)
            fresh = [_cpu_ms(lambda r=ruleset, g=g: build_policy_document(r, g, API))
                     for g in scope_sets(ruleset, token, max(repeats, 1))]
            rows.append(PolicySizeRow(
                count, token, policy_size(full), policy_size(compact),
                sum(len(statement["Resource"]) for statement in compact["Statement"]),
                statistics.median(fresh),
            ))
        if count == max(RULE_COUNTS):
            first_ms = _first_policy_ms(ruleset, repeats)
    return PolicySize(rows, first_ms)


def policy_size_table(result: PolicySize) -> list[tuple[str, ...]]:
    return [
        (f"{row.rules:,}", row.token, f"{row.full_bytes:,}", f"{row.compact_bytes:,}",
         f"{row.compact_resources:,}", f"{row.fresh_ms:.2f} ms")
        for row in result.rows
    ]


HEADERS = ("rules", "token", "full policy bytes", "compact policy bytes", "compact resources",
           "build, fresh scope set")


if __name__ == "__main__":
    from bench.report import markdown_table

    measured = measure_policy_size(repeats=21)
    print(markdown_table(HEADERS, policy_size_table(measured)))
    print(f"\nfirst policy of a container, {max(RULE_COUNTS):,} rules: {measured.first_ms:.2f} ms")
