"""The gateway workload's own parts: its clock steps, and that a wrong answer is counted.

Through the real local gateway (tests/support/local_stack.py), with the world's JWKS server on
127.0.0.1; no timing is asserted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.gateway_workload import (
    CLIENTS, STEP_SECONDS, WORKLOAD_RULES, Call, run_workload, steps, workload,
)
from bench.world import World, running_world


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with running_world() as running:
        yield running


def test_steps_keep_each_clients_calls_in_order_within_their_minute() -> None:
    calls = [Call(0.5, 1, "GET", "/a"), Call(59.9, 1, "GET", "/b"), Call(60.0, 0, "GET", "/c"),
             Call(3599.0, 9, "GET", "/d")]
    grouped = steps(calls)
    assert len(grouped) == 3600 // STEP_SECONDS and all(len(step) == CLIENTS for step in grouped)
    assert grouped[0][1] == calls[:2] and grouped[1][0] == [calls[2]] and grouped[-1][9] == [calls[3]]
    assert sum(len(batch) for step in grouped for batch in step) == len(calls)


def test_an_answer_that_differs_from_the_rules_is_counted_as_wrong(world: World) -> None:
    # GIVEN an oracle that denies GET /products, which the authorizer's rules allow to any token
    oracle = WORKLOAD_RULES.replace("  - route: GET /products\n    authenticated: true\n",
                                    "  - route: GET /products\n    deny: true\n")
    assert oracle != WORKLOAD_RULES
    products = sum(1 for call in workload(60) if (call.method, call.path) == ("GET", "/products"))
    assert products > 0
    # WHEN the workload runs through the gateway, in TOKEN and in per-route mode
    results = run_workload(world, 60, reauthorize_every=(300,), oracle_rules=oracle, per_route=(300,))
    # THEN in each, exactly those answers (200 from the gateway, 403 expected) are wrong
    assert [(r.label, r.requests, r.wrong_decisions) for r in results] == [
        ("ReauthorizeEvery 300", 60, products), ("ReauthorizeEvery 300, per-route", 60, products),
    ]
