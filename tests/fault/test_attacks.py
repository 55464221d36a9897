"""The JWT attack catalogue through the real handler: each is refused with its reason, none allowed."""

from __future__ import annotations


import pytest

from tests.fault.attacks import ATTACKS, AttackResult, run_attacks


@pytest.fixture(scope="module")
def attack_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, AttackResult], int]:
    return run_attacks(tmp_path_factory.mktemp("attacks"))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_gets_its_outcome_and_reason(attack, attack_results) -> None:
    results, _ = attack_results
    result = results[attack.name]
    assert (result.outcome, result.reason) == attack.expect


def test_the_attackers_jwks_server_is_never_asked(attack_results) -> None:
    _, attacker_requests = attack_results
    assert attacker_requests == 0
