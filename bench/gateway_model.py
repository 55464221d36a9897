"""A minimal in-process model of API Gateway's authorizer result cache, and a workload through it.

Stand-in until the local gateway lands: API Gateway keys a TOKEN authorizer's result by the token
(the identity source) for ``ReauthorizeEvery`` seconds (0 disables the cache) and, on a hit,
evaluates the cached policy against the new request's methodArn (authorizer.iam.evaluate_policy).

The workload: 10 clients x 20 routes over one simulated hour, each client holding one token with
its own scopes, requests drawn with a skewed (Zipf-like) route popularity. Every answer is checked
against the rules' own decision (RuleSet.decide) for that token's scopes: any difference is a wrong
decision.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authorizer.iam import Verdict, evaluate_policy
from authorizer.rules import compile_rules
from bench.world import World, configured_app, method_arn, token_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import auth0_claims, mint

CLIENTS = 10
SIMULATED_SECONDS = 3600
WORKLOAD_RULES = """\
version: 1
rules:
  - route: GET /orders
    any_scopes: [read:orders, admin]
  - route: GET /orders/{id}
    any_scopes: [read:orders, admin]
  - route: POST /orders
    scopes: [write:orders]
  - route: PUT /orders/{id}
    scopes: [write:orders]
  - route: DELETE /orders/{id}
    scopes: [write:orders, admin]
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders]
  - route: GET /customers
    scopes: [read:customers]
  - route: GET /customers/{id}
    scopes: [read:customers]
  - route: PATCH /customers/{id}
    scopes: [write:customers]
  - route: GET /invoices
    scopes: [read:invoices]
  - route: GET /invoices/{id}
    scopes: [read:invoices]
  - route: POST /invoices/{id}/send
    scopes: [write:invoices]
  - route: GET /products
    authenticated: true
  - route: GET /products/{id}
    authenticated: true
  - route: PUT /products/{id}
    scopes: [write:products]
  - route: GET /reports/{name}
    any_scopes: [read:reports, admin]
  - route: POST /webhooks
    scopes: [write:webhooks]
  - route: "* /health"
    authenticated: true
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /admin/*"
    deny: true
"""
# (method, path template) per route; "{id}" becomes a number per request.
ROUTES = (
    ("GET", "/orders"), ("GET", "/orders/{id}"), ("POST", "/orders"), ("PUT", "/orders/{id}"),
    ("DELETE", "/orders/{id}"), ("POST", "/orders/{id}/refunds"), ("GET", "/customers"),
    ("GET", "/customers/{id}"), ("PATCH", "/customers/{id}"), ("GET", "/invoices"),
    ("GET", "/invoices/{id}"), ("POST", "/invoices/{id}/send"), ("GET", "/products"),
    ("GET", "/products/{id}"), ("PUT", "/products/{id}"), ("GET", "/reports/{id}"),
    ("POST", "/webhooks"), ("GET", "/health"), ("GET", "/hello"), ("POST", "/admin/{id}"),
)
CLIENT_SCOPES = (
    "read:orders", "read:orders write:orders", "read:orders write:orders refund:orders",
    "admin", "read:customers write:customers", "read:invoices write:invoices read:reports",
    "read:products write:products", "read:hello", "", "read:orders read:customers read:invoices",
)


@dataclass(frozen=True)
class WorkloadResult:
    reauthorize_every: int
    requests: int
    invocations: int
    wrong_decisions: int

    @property
    def invoked_percent(self) -> float:
        return 100.0 * self.invocations / self.requests


class ResultCache:
    """API Gateway's authorizer cache: token -> (stored at, response) for ``ttl_seconds``."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, token: str, now: float) -> dict[str, Any] | None:
        if self.ttl_seconds <= 0:
            return None
        entry = self._entries.get(token)
        if entry is None or now - entry[0] >= self.ttl_seconds:
            return None
        return entry[1]

    def put(self, token: str, now: float, response: dict[str, Any]) -> None:
        if self.ttl_seconds > 0:
            self._entries[token] = (now, response)


def workload(requests: int, seed: int = 4) -> list[tuple[float, int, str, str]]:
    """(simulated time, client, method, path) in time order, skewed route popularity."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(ROUTES))]
    calls = []
    for _ in range(requests):
        method, template = rng.choices(ROUTES, weights)[0]
        path = template.replace("{id}", str(rng.randrange(1, 10**5)))
        calls.append((rng.uniform(0, SIMULATED_SECONDS), rng.randrange(CLIENTS), method, path))
    return sorted(calls)


def run_workload(world: World, requests: int, reauthorize_every: tuple[int, ...] = (300, 0)) -> list[WorkloadResult]:
    tokens = [
        mint(world.key, auth0_claims(scope=scope, sub=f"client-{i}@clients", azp=f"client-{i}"))
        for i, scope in enumerate(CLIENT_SCOPES)
    ]
    oracle = compile_rules(WORKLOAD_RULES, "workload")
    granted = [frozenset(scope.split()) for scope in CLIENT_SCOPES]
    calls = workload(requests)
    context = FakeLambdaContext()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        rules_file = Path(folder) / "rules.yaml"
        rules_file.write_text(WORKLOAD_RULES)
        for ttl in reauthorize_every:
            with configured_app({**world.environment, "RULES_FILE": str(rules_file)}) as app:
                cache = ResultCache(ttl)
                invocations = wrong = 0
                for now, client, method, path in calls:
                    token = tokens[client]
                    response = cache.get(token, now)
                    if response is None:
                        invocations += 1
                        response = app.lambda_handler(token_event(token, method, path), context)
                        cache.put(token, now, response)
                    verdict = evaluate_policy(response["policyDocument"], method_arn(method, path))
                    expected = oracle.decide(method, path, granted[client]).allowed
                    wrong += (verdict is Verdict.ALLOW) != expected
                results.append(WorkloadResult(ttl, len(calls), invocations, wrong))
    return results
