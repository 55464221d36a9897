"""The handler fuzz target runs in CI on a short budget (the long run is `make fuzz`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

SMOKE_RUNS = 10_000


def test_fuzz_target_holds_its_invariants_on_a_smoke_budget(tmp_path: Path) -> None:
    # GIVEN the atheris target over the whole handler, with a fixed seed
    outcomes = tmp_path / "outcomes.json"
    env = {**os.environ, "FUZZ_OUTCOMES_FILE": str(outcomes)}
    # WHEN it runs a few thousand inputs
    run = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.handler_target", f"-runs={SMOKE_RUNS}", "-seed=7",
         f"-artifact_prefix={tmp_path}/"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    # THEN no invariant broke, and the inputs reached every outcome
    assert (run.returncode, re.findall(r"Done (\d+) runs", run.stderr)) == (0, [str(SMOKE_RUNS)]), run.stderr[-3000:]
    assert list(tmp_path.glob("crash-*")) == []
    counts = json.loads(outcomes.read_text())
    assert sorted(counts) == ["allow", "deny", "unauthorized"]


def test_rules_fuzz_target_finds_no_exception_but_rules_error_on_a_smoke_budget(tmp_path: Path) -> None:
    # This target found a NUL in rules.yaml escaping as yaml.ReaderError (regression: rules_faults.py)
    run = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.rules_target", "-runs=3000", "-seed=7", f"-artifact_prefix={tmp_path}/"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert (run.returncode, re.findall(r"Done (\d+) runs", run.stderr)) == (0, ["3000"]), run.stderr[-3000:]
