"""The gateway workload, through the local gateway (local/gateway) and its real result cache.

A bench-only SAM template (written to a temporary folder) puts 20 routes behind the real
authorizer (``authorizer.app.lambda_handler``, CodeUri the repository root, a bench-only rules
file) and a trivial echo function (tests/e2e/lambdas/echo). Tokens are minted with the world's key
and verified against its JWKS server on 127.0.0.1. Everything runs as for ``make run``: the gateway
listens on 127.0.0.1, each function is a warm worker process.

The workload: 10 clients x 20 routes over one simulated hour, each client holding one token with
its own scopes, requests drawn with a skewed (Zipf-like) route popularity, sent over HTTP with one
keep-alive connection per client (the clients in parallel, a thread each). The gateway's clock
(:class:`local.gateway.result_cache.ManualClock`) follows the simulated hour: it is advanced in
``STEP_SECONDS`` steps, and the requests of one step are sent before the next, so cached policies
expire after ``ReauthorizeEvery`` simulated seconds as they would in an hour of traffic. Every HTTP
answer is checked against the rules' own decision (``RuleSet.decide``) for that token's scopes:
200 when the rules allow, 403 when they deny; any other status, or the other one, is a wrong
decision. Authorizer invocations are the gateway's own count.

In per-route mode (the template's ``AuthorizerMode=REQUEST``) the gateway caches a policy per
token, method and resource path instead of per token, so the same calls invoke the authorizer
more often; the run in that mode reports how often, and its wrong decisions (which must be 0).

``make bench`` runs it with the other figures; ``python -m bench.gateway_workload [REQUESTS]`` runs
it alone.
"""

from __future__ import annotations

import http.client
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from authorizer.caller import Caller
from authorizer.rules import RuleSet, compile_rules
from bench.world import REPO_ROOT, World, running_world
from tests.support.local_stack import RunningGateway, gateway_template, running_gateway
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

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


STEP_SECONDS = 60
AUTHORIZER = "AuthorizerFunction"


@dataclass(frozen=True)
class WorkloadResult:
    reauthorize_every: int
    requests: int
    invocations: int
    wrong_decisions: int
    seconds: float  # wall time of sending every request (the workers already warm)
    mode: str = "TOKEN"  # the template's AuthorizerMode: TOKEN, or REQUEST (per-route mode)

    @property
    def label(self) -> str:
        return f"ReauthorizeEvery {self.reauthorize_every}" + (", per-route" if self.mode == "REQUEST" else "")

    @property
    def invoked_percent(self) -> float:
        return 100.0 * self.invocations / self.requests

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Call:
    at: float  # simulated seconds into the hour
    client: int
    method: str
    path: str


def workload(requests: int, seed: int = 4) -> list[Call]:
    """The calls in time order, skewed route popularity."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(ROUTES))]
    calls = []
    for _ in range(requests):
        method, template = rng.choices(ROUTES, weights)[0]
        path = template.replace("{id}", str(rng.randrange(1, 10**5)))
        calls.append(Call(rng.uniform(0, SIMULATED_SECONDS), rng.randrange(CLIENTS), method, path))
    return sorted(calls, key=lambda call: (call.at, call.client))


def steps(calls: Sequence[Call]) -> list[list[list[Call]]]:
    """Per ``STEP_SECONDS`` of simulated time, each client's calls of that step, in order."""
    count = -(-SIMULATED_SECONDS // STEP_SECONDS)
    grouped: list[list[list[Call]]] = [[[] for _ in range(CLIENTS)] for _ in range(count)]
    for call in calls:
        grouped[min(int(call.at // STEP_SECONDS), count - 1)][call.client].append(call)
    return grouped


def workload_template(rules_file: Path, reauthorize_every: int) -> str:
    routes = {f"{method} {template}": "echo" for method, template in ROUTES}
    return gateway_template(
        "authorizer.app.lambda_handler",
        reauthorize_every,
        routes,
        authorizer_code_uri=REPO_ROOT,
        authorizer_env={"RULES_FILE": str(rules_file), "POWERTOOLS_SERVICE_NAME": "scopegate"},
    )


@contextmanager
def stderr_to_devnull() -> Iterator[None]:
    """The function workers inherit fd 2: their decision log lines go to /dev/null, not the terminal."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Clients:
    """One keep-alive HTTP connection per client; a client's calls are sent in order."""

    def __init__(self, gateway: RunningGateway, tokens: Sequence[str], oracle: RuleSet,
                 granted: Sequence[frozenset[str]]) -> None:
        self._connections = [http.client.HTTPConnection("127.0.0.1", gateway.server.port, timeout=30)
                             for _ in tokens]
        self._headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
        self._oracle = oracle
        self._granted = granted

    def send(self, client: int, calls: Sequence[Call]) -> int:
        """Sends ``calls`` on the client's connection; returns how many answers were wrong."""
        connection = self._connections[client]
        wrong = 0
        for call in calls:
            connection.request(call.method, "/Dev" + call.path, headers=self._headers[client])
            response = connection.getresponse()
            response.read()
            allowed = self._oracle.decide(call.method, call.path, Caller.holding(self._granted[client])).allowed
            wrong += response.status != (200 if allowed else 403)
        return wrong

    def close(self) -> None:
        for connection in self._connections:
            connection.close()


def _run_once(
    gateway: RunningGateway, calls: Sequence[Call], clients: _Clients, warm_up: str
) -> tuple[int, int, float]:
    """(authorizer invocations, wrong answers, wall seconds) of sending ``calls`` step by step."""
    # warm both workers (cold starts are a figure of their own) with a token outside the workload
    connection = http.client.HTTPConnection("127.0.0.1", gateway.server.port, timeout=30)
    connection.request("GET", "/Dev/products", headers={"Authorization": f"Bearer {warm_up}"})
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"the warm-up request through the local gateway got {status}, not 200")
    before = gateway.invocations(AUTHORIZER)
    start_clock = gateway.clock.now
    wrong = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for index, per_client in enumerate(steps(calls)):
            gateway.clock.now = start_clock + index * STEP_SECONDS
            batches = [pool.submit(clients.send, c, batch) for c, batch in enumerate(per_client) if batch]
            wrong += sum(batch.result() for batch in batches)
    seconds = time.perf_counter() - started
    return gateway.invocations(AUTHORIZER) - before, wrong, seconds


def run_workload(
    world: World,
    requests: int,
    reauthorize_every: tuple[int, ...] = (300, 0),
    oracle_rules: str = WORKLOAD_RULES,
    per_route: tuple[int, ...] = (300,),
) -> list[WorkloadResult]:
    """One gateway per ``reauthorize_every`` (TOKEN mode) and per ``per_route`` (REQUEST mode),
    the same calls through each.

    The authorizer decides with ``WORKLOAD_RULES``; answers are checked against ``oracle_rules``
    (the same rules, except where a test shows that a difference is counted).
    """
    tokens = [
        mint(world.key, auth0_claims(scope=scope, sub=f"client-{i}@clients", azp=f"client-{i}"))
        for i, scope in enumerate(CLIENT_SCOPES)
    ]
    warm_up = mint(world.key, auth0_claims(scope="", sub="warm-up@clients", azp="warm-up"))
    oracle = compile_rules(oracle_rules, "workload oracle")
    granted = [frozenset(scope.split()) for scope in CLIENT_SCOPES]
    calls = workload(requests)
    overrides = {"TokenIssuer": ISSUER, "Audience": AUDIENCE, "JwksUri": world.jwks.url}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        rules_file = Path(folder) / "rules.yaml"
        rules_file.write_text(WORKLOAD_RULES, encoding="utf-8")
        runs = [(ttl, "TOKEN") for ttl in reauthorize_every] + [(ttl, "REQUEST") for ttl in per_route]
        for ttl, mode in runs:
            template = Path(folder) / f"template-{ttl}-{mode}.yaml"
            template.write_text(workload_template(rules_file, ttl), encoding="utf-8")
            with stderr_to_devnull(), running_gateway(template, {**overrides, "AuthorizerMode": mode}) as gateway:
                clients = _Clients(gateway, tokens, oracle, granted)
                try:
                    invocations, wrong, seconds = _run_once(gateway, calls, clients, warm_up)
                finally:
                    clients.close()
            results.append(WorkloadResult(ttl, len(calls), invocations, wrong, seconds, mode))
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.gateway_workload [REQUESTS]``: this figure alone (default 20,000 requests)."""
    args = sys.argv[1:] if argv is None else argv
    requests = int(args[0]) if args else 20_000
    with running_world() as world:
        for r in run_workload(world, requests):
            print(f"{r.label}: {r.invocations:,} invocations of {r.requests:,} "
                  f"requests ({r.invoked_percent:.2f}%), {r.wrong_decisions} wrong, "
                  f"{r.requests_per_second:,.0f} requests/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
