"""template.yaml's promises: least-privilege roles, log retention, validated parameters, outputs.

The per-function tests run once per function and look only at that function's own resources, so
a function that lacks one (a new service, README "Adding a service") fails under its own name,
with the lines to add, and no other function's test fails with it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import loads

from scopegate_tools.sam_template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = loads((REPO / "template.yaml").read_text(), "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")
SERVICES = [f for f in FUNCTIONS if f != "AuthorizerFunction"]
FIXED_OUTPUTS = ["ApiUrl", "TokenIssuer", "Audience", "AuthorizerLogGroupName", "OrdersTableName"]
LOG_RIGHTS = ["logs:CreateLogStream", "logs:PutLogEvents"]


def stem(function: str) -> str:
    """``HelloFunction`` -> ``Hello``: the prefix of its role and log group names."""
    return function.removesuffix("Function")


def role_of(function: str) -> str | None:
    role = RESOURCES[function].get("Properties", {}).get("Role")
    if isinstance(role, dict) and list(role) == ["Fn::GetAtt"] and role["Fn::GetAtt"][1:] == ["Arn"]:
        return str(role["Fn::GetAtt"][0])
    return None


def log_group_of(function: str) -> str | None:
    group = (RESOURCES[function].get("Properties", {}).get("LoggingConfig") or {}).get("LogGroup")
    return str(group["Ref"]) if isinstance(group, dict) and list(group) == ["Ref"] else None


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_logs_to_its_own_log_group_with_the_chosen_retention(function: str) -> None:
    group = log_group_of(function)
    assert group is not None, (
        f"{function} has no log group of its own: add `LoggingConfig: {{LogGroup: !Ref {stem(function)}LogGroup}}` "
        f"to its Properties"
    )
    assert RESOURCES.get(group) == {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"RetentionInDays": {"Ref": "LogRetentionInDays"}},
    }, f"{function} logs to {group}: define it as `{group}: {{Type: AWS::Logs::LogGroup, Properties: {{RetentionInDays: !Ref LogRetentionInDays}}}}`"
    sharing = [other for other in FUNCTIONS if other != function and log_group_of(other) == group]
    assert sharing == [], f"{function} shares its log group {group} with {sharing}; give it its own"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_its_own_role_with_no_wildcard_grant(function: str) -> None:
    role = role_of(function)
    assert role is not None, (
        f"{function} has no role of its own: add `Role: !GetAtt {stem(function)}Role.Arn` to its Properties "
        "(without it SAM creates a role with broad log rights)"
    )
    assert "Policies" not in RESOURCES[function]["Properties"], f"{function}: grant rights in {role}, not with `Policies`"
    assert RESOURCES.get(role, {}).get("Type") == "AWS::IAM::Role", f"{function} uses {role}: define it as an AWS::IAM::Role"
    sharing = [other for other in FUNCTIONS if other != function and role_of(other) == role]
    assert sharing == [], f"{function} shares its role {role} with {sharing}; give it its own"
    properties = RESOURCES[role]["Properties"]
    assert properties.get("AssumeRolePolicyDocument", {}).get("Statement") == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ], f"{role} ({function}): trust lambda.amazonaws.com only, as HelloRole does"
    assert "ManagedPolicyArns" not in properties, f"{role} ({function}): no managed policies; list each right"
    statements = [s for policy in properties.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow" and not any("*" in action for action in actions), f"{role}: {statement}"
        assert statement["Resource"] not in ("*", ["*"]), f"{role} grants {actions} on every resource"
    own_logs = {"Effect": "Allow", "Action": LOG_RIGHTS, "Resource": {"Fn::GetAtt": [log_group_of(function), "Arn"]}}
    assert own_logs in statements, (
        f"{role} ({function}) may not write its logs: add the policy write-own-logs with "
        f"Action {LOG_RIGHTS} on !GetAtt {log_group_of(function)}.Arn, as HelloRole does"
    )


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_is_an_output_named_after_it(function: str) -> None:
    assert TEMPLATE["Outputs"].get(f"{function}Name") == {"Value": {"Ref": function}}, (
        f"{function} has no output {function}Name: add `{function}Name: {{Value: !Ref {function}}}` under Outputs"
    )


def test_outputs_name_the_api_url_the_issuer_the_audience_and_nothing_unexpected() -> None:
    expected = {*FIXED_OUTPUTS, *(f"{f}Name" for f in FUNCTIONS)}
    assert set(FIXED_OUTPUTS) <= set(TEMPLATE["Outputs"])
    assert set(TEMPLATE["Outputs"]) - expected == set()


@pytest.mark.parametrize("function", SERVICES)
def test_every_service_is_built_by_the_makefile_from_its_folder_with_the_context_layer(function: str) -> None:
    properties, metadata = RESOURCES[function]["Properties"], RESOURCES[function].get("Metadata", {})
    assert (metadata.get("BuildMethod"), metadata.get("ProjectRootDirectory")) == ("makefile", "."), (
        f"{function}: add `Metadata: {{BuildMethod: makefile, ProjectRootDirectory: .}}`"
    )
    folder = re.fullmatch(r"services/([a-z0-9_-]+)/", properties.get("CodeUri", ""))
    assert folder, f"{function}: CodeUri must be its folder, `services/<name>/`"
    makefile = (REPO / "Makefile").read_text()
    listed = re.search(r"^SERVICE_FUNCTIONS :=(.*)$", makefile, re.MULTILINE)
    assert listed and function in listed.group(1).split(), f"{function}: add it to SERVICE_FUNCTIONS in the Makefile"
    assert f"build-{function}: SERVICE := {folder.group(1)}\n" in makefile, (
        f"{function}: add the line `build-{function}: SERVICE := {folder.group(1)}` to the Makefile"
    )
    assert {"Ref": "ServiceContextLayer"} in properties.get("Layers", []), (
        f"{function}: add `Layers: [!Ref ServiceContextLayer]` (scopegate_context)"
    )


def test_authorizer_role_may_write_its_logs_and_nothing_else() -> None:
    policies = RESOURCES["AuthorizerRole"]["Properties"]["Policies"]
    assert [s for p in policies for s in p["PolicyDocument"]["Statement"]] == [
        {"Effect": "Allow", "Action": LOG_RIGHTS, "Resource": {"Fn::GetAtt": ["AuthorizerLogGroup", "Arn"]}}
    ]


def test_authorizer_timeout_leaves_room_for_a_whole_jwks_fetch_at_cold_start() -> None:
    from authorizer.config import read_settings

    settings = read_settings({"TOKEN_ISSUER": "https://t.auth0.com/", "AUDIENCE": "a"})
    timeout = load_template(REPO / "template.yaml").functions["AuthorizerFunction"].timeout_seconds
    assert timeout >= settings.jwks.timeout_seconds + 2


def test_reauthorize_every_is_validated_to_api_gateways_range() -> None:
    spec = TEMPLATE["Parameters"]["ReauthorizeEvery"]
    assert (spec["Type"], spec["MinValue"], spec["MaxValue"], spec["Default"]) == ("Number", 0, 3600, 300)
