"""The JWKS fault matrix at handler level: every fault is a 401 or a 500, never an Allow.

Each scenario (tests/fault/jwks_scenarios.py) runs through the real handler
against a real JWKS server on 127.0.0.1; the test asserts each step's outcome
and how many requests reached the server (and none the redirect target).
"""

from __future__ import annotations

import json
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


BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def _jwks_fetches(stdout: str) -> list[tuple[str, str]]:
    """(result, trigger) of each JWKS fetch's EMF document written to stdout."""
    documents = [json.loads(line) for line in stdout.splitlines() if '"JwksFetches"' in line]
    return [(document["result"], document["trigger"]) for document in documents]


def test_a_duplicate_member_published_while_warm_is_counted_and_the_cached_keys_serve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_lines
) -> None:
    # GIVEN a warm container WHEN the issuer publishes its key with a second "n" (the attacker's)
    scenario = BY_NAME["duplicate member after warm start (a second n, the attacker's): cached keys serve"]
    result = run_scenario(scenario, tmp_path)
    # THEN the cached good key keeps verifying, the attacker's modulus verifies nothing
    assert result.outcomes == ["allow", "allow", "401"]
    assert [(d["outcome"], d["reason"]) for d in log_lines.decisions()] == [
        ("allow", "allowed"), ("allow", "allowed"), ("unauthorized", "bad_signature"),
    ]
    # AND the refused refresh is counted with its own reason (the JwksFetches metric's result)
    assert _jwks_fetches(capsys.readouterr().out) == [("ok", "initial"), ("jwks_duplicate_member", "scheduled")]


def test_a_duplicate_member_at_cold_start_is_a_fault_logged_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_lines
) -> None:
    result = run_scenario(BY_NAME["duplicate member at cold start (a second n in the key)"], tmp_path)
    assert (result.outcomes, result.requests) == (["500"], 1)
    # the second decision falls in the retry backoff, so it names the backoff, not a new fetch
    assert [(d["outcome"], d["reason"], d["level"]) for d in log_lines.decisions()] == [
        ("error", "jwks_duplicate_member", "ERROR"), ("error", "jwks_backoff", "ERROR"),
    ]
    assert _jwks_fetches(capsys.readouterr().out) == [("jwks_duplicate_member", "initial")]


def test_keys_skipped_beside_usable_ones_are_logged_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_lines
) -> None:
    # GIVEN an issuer that publishes its current key with key_ops [sign] beside a usable key
    result = run_scenario(BY_NAME["key_ops without verify (beside a usable key)"], tmp_path)
    # THEN the token of the skipped key is refused (its kid is unknown after one refetch)
    assert (result.outcomes, result.requests) == (["401"], 2)
    # AND each good fetch that skipped a key says so: a warning naming the reason, and a metric
    warnings = [r for r in log_lines.records() if r.get("reason") == "jwks_keys_skipped"]
    assert [(w["level"], w["message"], w["skipped_keys"]) for w in warnings] == [
        ("WARNING", "JWKS keys skipped", {"key_ops_without_verify": 1})] * 2
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"JwksFetches"' in line]
    assert [(d["result"], d["trigger"], d.get("JwksKeysSkipped")) for d in documents] == [
        ("ok", "initial", [1.0]), ("ok", "unknown_kid", [1.0])]
