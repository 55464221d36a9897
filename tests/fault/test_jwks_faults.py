"""The JWKS fault matrix at handler level: every fault is a 401 or a 500, never an Allow.

Each scenario (tests/fault/jwks_scenarios.py) runs through the real handler
against a real JWKS server on 127.0.0.1; the test asserts each step's outcome
and how many requests reached the server (and none the redirect target).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fault.jwks_scenarios import SCENARIOS, Scenario, run_scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_jwks_fault_gives_its_outcome_with_bounded_requests(scenario: Scenario, tmp_path: Path) -> None:
    # WHEN the scenario's steps run through the handler
    result = run_scenario(scenario, tmp_path)
    # THEN every step has its expected outcome and the server saw the expected number of requests
    expected = [step.expect for step in scenario.steps]
    assert (result.outcomes, result.requests, result.other_server_requests) == (expected, scenario.requests, 0)
