"""Policy size per token at 10, 100 and 1,000 rules: every resource of every rule, compact, per route.

The rules are rules_scale's generated ones (five shapes per service). The full policy is
``policy_document(api, *policy_resources(...))``, what scopegate returned before compaction;
the compact one is ``build_policy_document``, what it returns in TOKEN mode. Per route is the
largest per-route policy of the token (``build_route_policy_document``, what it returns in
per-route mode) over every route of the API the rules are written for (:func:`api_routes`). Build times are CPU time of
the building thread, medians: "first" clears the caches a container builds once per rule set
(the index of the rule set's resources), "fresh" is a scope set the engine has not memoised.

Run alone (a few seconds): ``.venv/bin/python -m bench.policy_size``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from authorizer.caller import Caller
from authorizer.arn import parse_method_arn
from authorizer.glob_index import index_globs, reach
from authorizer.policy import (
    build_policy_document,
    policy_document,
    policy_resources,
    policy_size,
)
from authorizer.resource_path import ResourcePath, parse_resource_path
from authorizer.route import HTTP_METHODS
from authorizer.route_policy import build_route_policy_document
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
    per_route_bytes: int = 0  # the token's largest per-route policy, over every route of the API
    per_route_of: str = ""  # its route
    per_route_ms: float = 0.0  # build_route_policy_document, median over the routes


@dataclass(frozen=True)
class PolicySize:
    rows: list[PolicySizeRow]
    first_ms: float  # the largest rule set, its first policy in a container (median, caches cleared)

    def row(self, rules: int, token: str) -> PolicySizeRow:
        return next(row for row in self.rows if (row.rules, row.token) == (rules, token))

    def largest_per_route(self, rules: int) -> PolicySizeRow:
        """The row of the token whose largest per-route policy is the largest at ``rules``."""
        return max((row for row in self.rows if row.rules == rules), key=lambda row: row.per_route_bytes)


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


def api_routes(ruleset: RuleSet) -> list[tuple[str, ResourcePath]]:
    """The API the rules are written for: a route per rule and verb (``*`` every verb), its
    path a resource path (a trailing ``*`` segment is ``{proxy+}``)."""
    found: dict[tuple[str, str], ResourcePath] = {}
    for rule in ruleset.rules:
        path = rule.route.path
        if path.endswith("/*"):
            path = path[:-1] + "{proxy+}"
        for method in HTTP_METHODS if rule.route.method == "*" else (rule.route.method,):
            found.setdefault((method, path), parse_resource_path(path))
    return [(method, resource) for (method, _), resource in found.items()]


def largest_per_route(
    ruleset: RuleSet, granted: frozenset[str], routes: list[tuple[str, ResourcePath]]
) -> tuple[int, str, float]:
    """(bytes, route) of the largest per-route policy of ``granted``, and the median build in ms."""
    largest, where, times = -1, "", []
    for method, resource in routes:
        started = time.thread_time()
        document = build_route_policy_document(ruleset, Caller.holding(granted), API, method, resource)
        times.append((time.thread_time() - started) * 1000)
        size = policy_size(document)
        if size > largest:
            largest, where = size, f"{method} {resource.text}"
    return largest, where, statistics.median(times)


def _cpu_ms(action: Callable[[], object]) -> float:
    started = time.thread_time()
    action()
    return (time.thread_time() - started) * 1000


def _first_policy_ms(ruleset: RuleSet, repeats: int) -> float:
    granted = scope_sets(ruleset, ONE_SERVICE_READ_WRITE, 1)[0]

    def first_policy() -> None:
        index_globs.cache_clear()
        reach.cache_clear()
        build_policy_document(ruleset, Caller.holding(granted), API)

    return statistics.median(_cpu_ms(first_policy) for _ in range(max(repeats, 1)))


def measure_policy_size(repeats: int) -> PolicySize:
    rows = []
    first_ms = 0.0
    for count in RULE_COUNTS:
        ruleset = compile_rules(generated_rules(count), "bench")
        routes = api_routes(ruleset)
        for token in TOKENS:
            granted = scope_sets(ruleset, token, 1)[0]
            full = policy_document(API, *policy_resources(ruleset, Caller.holding(granted), API))
            compact = build_policy_document(ruleset, Caller.holding(granted), API)
            fresh = [_cpu_ms(lambda r=ruleset, g=g: build_policy_document(r, Caller.holding(g), API))
                     for g in scope_sets(ruleset, token, max(repeats, 1))]
            per_route = largest_per_route(ruleset, granted, routes)
            rows.append(PolicySizeRow(
                count, token, policy_size(full), policy_size(compact),
                sum(len(statement["Resource"]) for statement in compact["Statement"]),
                statistics.median(fresh), *per_route,
            ))
        if count == max(RULE_COUNTS):
            first_ms = _first_policy_ms(ruleset, repeats)
    return PolicySize(rows, first_ms)


def policy_size_table(result: PolicySize) -> list[tuple[str, ...]]:
    return [
        (f"{row.rules:,}", row.token, f"{row.full_bytes:,}", f"{row.compact_bytes:,}",
         f"{row.compact_resources:,}", f"{row.fresh_ms:.2f} ms", f"{row.per_route_bytes:,}",
         f"`{row.per_route_of}`", f"{row.per_route_ms:.2f} ms")
        for row in result.rows
    ]


HEADERS = ("rules", "token", "full policy bytes", "compact policy bytes", "compact resources",
           "build, fresh scope set", "per-route policy bytes (largest)", "its route", "per-route build")


if __name__ == "__main__":
    from bench.report import markdown_table

    measured = measure_policy_size(repeats=21)
    print(markdown_table(HEADERS, policy_size_table(measured)))
    print(f"\nfirst policy of a container, {max(RULE_COUNTS):,} rules: {measured.first_ms:.2f} ms")
