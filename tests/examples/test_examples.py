"""examples/: each way to add scopegate to an API, checked as its README says.

Every `scopegate check ...` line in an example's README is run (in-process, from the example's
folder) and must pass. The SAM example is built by `make sam-example` (make test runs it); the CDK
app is synthesized again here with its pinned toolchain (npm ci, then cdk synth, about 25 s) and
must give the committed template, but for the hash of the zip asset.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def documented_checks(example: str) -> list[list[str]]:
    """The `scopegate check` command lines of an example's README."""
    lines = (EXAMPLES / example / "README.md").read_text().splitlines()
    return [shlex.split(line)[1:] for line in lines if line.startswith("scopegate check ")]


@pytest.mark.parametrize("example", ["sam-existing-api", "cdk", "terraform"])
def test_the_check_each_readme_shows_passes_on_the_example(example: str, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = documented_checks(example)
    assert commands, f"examples/{example}/README.md shows no `scopegate check` line"
    monkeypatch.chdir(EXAMPLES / example)
    for argv in commands:
        result = run_cli(*argv, "--format", "json")
        report = json.loads(result.out)
        assert (result.code, report["errors"], report["warnings"]) == (0, [], []), argv
        assert len(report["routes"]) >= 6 and [r["route"] for r in report["public_routes"]] == ["GET /health"]


def test_sam_example_builds_with_the_dist_zip_as_the_authorizers_code() -> None:
    built = REPO / ".aws-sam" / "examples" / "sam-existing-api" / "template.yaml"
    if not built.is_file():
        why = "no build of examples/sam-existing-api: run `make sam-example` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    from scopegate_tools.sam_template import load_template

    function = load_template(built).functions["ScopegateFunction"]
    assert (built.parent / function.code_uri).resolve() == REPO / "dist" / "scopegate-authorizer-python3.13-x86_64.zip"
    assert function.handler == "authorizer.app.lambda_handler"


def normalized(template_text: str) -> object:
    return json.loads(ASSET_HASH.sub("<asset hash>", template_text))


def test_cdk_app_synthesizes_the_committed_template(tmp_path: Path) -> None:
    # GIVEN the app, its locked toolchain and the zip make dist built
    app = EXAMPLES / "cdk"
    npm = shutil.which("npm")
    zip_file = REPO / "dist" / "scopegate-authorizer-python3.13-x86_64.zip"
    if npm is None or not zip_file.is_file():
        why = "npm or dist/ is missing: install Node.js 20 and run `make dist`"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", "npm_config_update_notifier": "false"}
    if not (app / "node_modules" / "aws-cdk-lib").is_dir():
        try:
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=app, env=env, check=True, timeout=600)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            # the registry is out of reach: the committed synth output is still checked by
            # the check lines of the examples (check --cloudformation)
            pytest.skip(f"npm ci failed ({error}): the CDK toolchain could not be installed here")
    # WHEN cdk synth runs into a scratch folder
    out = tmp_path / "cdk.out"
    completed = subprocess.run(
        ["npx", "cdk", "synth", "--quiet", "--no-notices", "--output", str(out)],
        cwd=app, env=env, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    # THEN it writes the committed template (make cdk-synth refreshes it), but for the asset's hash
    fresh = (out / "ScopegateExample.template.json").read_text()
    assert normalized(fresh) == normalized((app / "ScopegateExample.template.json").read_text())
