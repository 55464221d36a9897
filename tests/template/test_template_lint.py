"""`make lint-template` (cfn-lint 1.53.3, which runs the SAM translator) catches broken templates.

cfn-lint 1.54+ no longer runs the SAM translator and passes the first three variants below
silently (local-tooling.md §4): these tests prove the pin. One cfn-lint process lints the
shipped template and every variant, with the options of ``make lint-template``.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from cfnlint.decode.cfn_yaml import loads

REPO = Path(__file__).resolve().parents[2]
CFN_LINT = Path(sys.executable).parent / "cfn-lint"

# functions that take their Runtime from Globals (each gets its own finding when it is wrong)
GLOBAL_RUNTIME_FUNCTIONS = sum(
    1
    for resource in loads((REPO / "template.yaml").read_text(), "template.yaml")["Resources"].values()
    if resource["Type"] == "AWS::Serverless::Function" and "Runtime" not in resource.get("Properties", {})
)

# name -> (text replaced in template.yaml, its replacement, expected (rule, message) findings)
VARIANTS = {
    "payload-type-typo": (
        "FunctionPayloadType: !Ref AuthorizerMode", "FunctionPayloadType: TOKN",
        [("E0001", "Error transforming template: Resource with id [Api] is invalid. "
                   "ScopegateAuthorizer Authorizer has invalid 'FunctionPayloadType': TOKN.")],
    ),
    "unknown-default-authorizer": (
        "DefaultAuthorizer: ScopegateAuthorizer", "DefaultAuthorizer: NoSuchAuthorizer",
        [("E0001", "Error transforming template: Resource with id [Api] is invalid. Unable to set "
                   "DefaultAuthorizer because 'NoSuchAuthorizer' was not defined in 'Authorizers'.")],
    ),
    "handler-typo": (
        "      Handler: authorizer.app.lambda_handler", "      Handlr: authorizer.app.lambda_handler",
        [("E0001", "Error transforming template: Resource with id [AuthorizerFunction] is invalid. "
                   "property Handlr not defined for resource of type AWS::Serverless::Function")],
    ),
    "unknown-runtime": (
        "Runtime: python3.13 ", "Runtime: python3.99 ",
        [("E3030", "'python3.99' is not one of [...]")] * GLOBAL_RUNTIME_FUNCTIONS,  # once per function
    ),
    "mode-default-not-allowed": (
        "    Default: TOKEN\n", "    Default: TOKN\n",
        [("E0001", "Error transforming template: Resource with id [Api] is invalid. "
                   "ScopegateAuthorizer Authorizer has invalid 'FunctionPayloadType': TOKN.")],
    ),
    "reauthorize-default-above-3600": (
        "    Default: 300\n    MinValue: 0\n    MaxValue: 3600", "    Default: 4000\n    MinValue: 0\n    MaxValue: 3600",
        [("E2015", "Default should be less than or equal to MaxValue")],
    ),
    "architecture-not-lambdas": (
        "    Default: x86_64\n", "    Default: arm65\n",
        [("E2015", "Default should be a value within AllowedValues")],
    ),
    # not broken: Architectures: [!Ref Architecture] with arm64 is a valid template too
    "architecture-arm64": ("    Default: x86_64\n", "    Default: arm64\n", []),
}


def shorten_choices(message: str) -> str:
    """E3030 lists every runtime cfn-lint knows; keep the part that names the culprit."""
    head, found, _ = message.partition(" is not one of ")
    return head + " is not one of [...]" if found else message


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, list[tuple[str, str]]]]:
    folder = tmp_path_factory.mktemp("variants")
    shipped = (REPO / "template.yaml").read_text()
    paths = {"shipped": folder / "shipped.yaml", "request-mode": folder / "request-mode.yaml"}
    paths["shipped"].write_text(shipped)
    assert shipped.count("    Default: TOKEN\n") == 1
    paths["request-mode"].write_text(shipped.replace("    Default: TOKEN\n", "    Default: REQUEST\n"))
    for name, (old, new, _) in VARIANTS.items():
        assert shipped.count(old) == 1, f"variant {name}: {old!r} is not in template.yaml once"
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(shipped.replace(old, new))
    completed = subprocess.run(
        [str(CFN_LINT), "--non-zero-exit-code", "error", "--format", "parseable", "-t", *map(str, paths.values())],
        capture_output=True, text=True, timeout=120,
    )
    by_file: dict[str, list[tuple[str, str]]] = {name: [] for name in paths}
    for line in completed.stdout.splitlines():
        file, _line, _col, _end_line, _end_col, rule, message = line.split(":", 6)
        by_file[Path(file).stem].append((rule, shorten_choices(message)))
    return completed.returncode, by_file


def test_cfn_lint_is_the_pinned_release() -> None:
    assert (version("cfn-lint"), version("aws-sam-translator")) == ("1.53.3", "1.115.0")


def test_the_shipped_template_has_no_finding_at_all(findings: tuple[int, dict[str, list[tuple[str, str]]]]) -> None:
    assert findings[1]["shipped"] == []


def test_the_shipped_template_in_request_mode_has_no_finding_at_all(
    findings: tuple[int, dict[str, list[tuple[str, str]]]]
) -> None:
    # cfn-lint translates with the parameters' defaults: this file is template.yaml defaulting to REQUEST
    assert findings[1]["request-mode"] == []


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_make_lint_template_finds_exactly_what_is_wrong_in_each_variant(name: str, findings: tuple[int, dict[str, list[tuple[str, str]]]]) -> None:
    returncode, by_file = findings
    assert returncode != 0
    assert by_file[name] == VARIANTS[name][2]


def test_sam_validate_lint_uses_the_same_cfn_lint_pin() -> None:
    pins = dict(
        line.split("==") for line in (REPO / "requirements-sam.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert (pins["aws-sam-cli"], pins["cfn-lint"], pins["aws-sam-translator"]) == (
        "1.170.0", version("cfn-lint"), version("aws-sam-translator")
    )
