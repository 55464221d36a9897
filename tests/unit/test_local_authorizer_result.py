"""local.gateway.authorizer_result: what API Gateway accepts from an authorizer and passes on."""

from __future__ import annotations

from typing import Any

import pytest

from scopegate_tools.iam import Verdict
from local.gateway.authorizer_result import (
    AuthorizerOutput,
    MalformedOutput,
    decide,
    integration_context,
    read_authorizer_output,
)

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/Dev/GET/hello"
POLICY = {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}]}


def test_read_authorizer_output_keeps_principal_policy_and_context() -> None:
    output = read_authorizer_output({"principalId": "p", "policyDocument": POLICY, "context": {"a": 1}}, ARN)
    assert output == AuthorizerOutput("p", POLICY, {"a": 1})
    assert decide(output, ARN) is Verdict.ALLOW
    assert decide(output, ARN.replace("GET", "POST")) is Verdict.IMPLICIT_DENY


@pytest.mark.parametrize(
    "output",
    [
        "not an object",
        {"principalId": 7, "policyDocument": POLICY},
        {"principalId": "p"},
        {"principalId": "p", "policyDocument": {"Statement": []}},
        {"principalId": "p", "policyDocument": POLICY, "context": {"roles": ["a"]}},
        {"principalId": "p", "policyDocument": POLICY, "context": {"nested": {"a": 1}}},
        {"principalId": "p", "policyDocument": POLICY, "context": {"none": None}},
        {"principalId": "p", "policyDocument": POLICY, "context": ["a"]},
    ],
    ids=["string", "principal-not-string", "no-policy", "empty-statements", "list", "object", "null", "context-list"],
)
def test_read_authorizer_output_refuses_what_api_gateway_answers_500_for(output: Any) -> None:
    with pytest.raises(MalformedOutput):
        read_authorizer_output(output, ARN)


def test_integration_context_stringifies_values_and_adds_principal_and_latency() -> None:
    output = AuthorizerOutput("p", POLICY, {"s": "x", "n": 123, "f": 1.5, "yes": True, "no": False})
    assert integration_context(output, 7) == {
        "s": "x", "n": "123", "f": "1.5", "yes": "true", "no": "false", "principalId": "p", "integrationLatency": 7,
    }
