"""template.yaml's promises: least-privilege roles, log retention, validated parameters, outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import loads

from authorizer.sam_template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = loads((REPO / "template.yaml").read_text(), "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")


def role_of(function: str) -> str:
    role = RESOURCES[function]["Properties"]["Role"]
    assert list(role) == ["Fn::GetAtt"] and role["Fn::GetAtt"][1] == "Arn"
    return role["Fn::GetAtt"][0]


def log_group_of(function: str) -> str:
    return RESOURCES[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_logs_to_its_own_log_group_with_the_chosen_retention(function: str) -> None:
    group = log_group_of(function)
    assert RESOURCES[group] == {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"RetentionInDays": {"Ref": "LogRetentionInDays"}},
    }
    assert [log_group_of(f) for f in FUNCTIONS].count(group) == 1


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_its_own_role_with_no_wildcard_grant(function: str) -> None:
    role = role_of(function)
    assert [role_of(f) for f in FUNCTIONS].count(role) == 1
    assert "Policies" not in RESOURCES[function]["Properties"]  # SAM would add a role with broad log rights
    properties = RESOURCES[role]["Properties"]
    assert properties["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert "ManagedPolicyArns" not in properties
    statements = [s for policy in properties["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow" and not any("*" in action for action in actions)
        assert statement["Resource"] not in ("*", ["*"])
    assert {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [log_group_of(function), "Arn"]}} in statements


def test_authorizer_role_may_write_its_logs_and_nothing_else() -> None:
    policies = RESOURCES["AuthorizerRole"]["Properties"]["Policies"]
    assert [s for p in policies for s in p["PolicyDocument"]["Statement"]] == [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": {"Fn::GetAtt": ["AuthorizerLogGroup", "Arn"]}}
    ]


def test_authorizer_timeout_leaves_room_for_a_whole_jwks_fetch_at_cold_start() -> None:
    from authorizer.config import read_settings

    settings = read_settings({"TOKEN_ISSUER": "https://t.auth0.com/", "AUDIENCE": "a"})
    timeout = load_template(REPO / "template.yaml").functions["AuthorizerFunction"].timeout_seconds
    assert timeout >= settings.jwks.timeout_seconds + 2


def test_reauthorize_every_is_validated_to_api_gateways_range() -> None:
    spec = TEMPLATE["Parameters"]["ReauthorizeEvery"]
    assert (spec["Type"], spec["MinValue"], spec["MaxValue"], spec["Default"]) == ("Number", 0, 3600, 300)


def test_outputs_name_the_api_url_the_issuer_the_audience_and_every_function() -> None:
    assert sorted(TEMPLATE["Outputs"]) == sorted(
        ["ApiUrl", "TokenIssuer", "Audience", "AuthorizerLogGroupName", "OrdersTableName",
         *(f"{f}Name" for f in FUNCTIONS)]
    )
