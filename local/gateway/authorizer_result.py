"""What API Gateway does with a TOKEN authorizer's answer (pure).

* :func:`read_authorizer_output` checks the output's shape (the policy is checked by
  :func:`scopegate_tools.iam.evaluate_policy`); anything malformed, or a ``context`` value that is not a
  string, number or boolean, is :class:`MalformedOutput` (API Gateway: 500
  ``AuthorizerConfigurationException``).
* :func:`decide` evaluates the (possibly cached) policy against one request's methodArn.
* :func:`integration_context` is ``requestContext.authorizer`` of the proxy event: every context
  value stringified, plus ``principalId`` and ``integrationLatency``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scopegate_tools.iam import InvalidPolicy, Verdict, evaluate_policy


class MalformedOutput(ValueError):
    """The authorizer answered something API Gateway would refuse (500)."""


@dataclass(frozen=True, slots=True)
class AuthorizerOutput:
    principal_id: str | None
    policy: Mapping[str, Any]
    context: Mapping[str, str | int | float | bool]


def read_authorizer_output(output: Any, method_arn: str) -> AuthorizerOutput:
    """Validate an authorizer's return value, policy included (checked against ``method_arn``)."""
    if not isinstance(output, Mapping):
        raise MalformedOutput("the authorizer output is not an object")
    principal = output.get("principalId")
    if principal is not None and not isinstance(principal, str):
        raise MalformedOutput("principalId is not a string")
    context = output.get("context") or {}
    if not isinstance(context, Mapping):
        raise MalformedOutput("context is not an object")
    for key, value in context.items():
        if value is None or not isinstance(value, str | int | float | bool):
            raise MalformedOutput(f"context value of {key!r} is not a string, number or boolean")
    policy = output.get("policyDocument")
    try:
        evaluate_policy(policy, method_arn)
    except InvalidPolicy as error:
        raise MalformedOutput(f"policyDocument: {error}") from None
    return AuthorizerOutput(principal, policy, dict(context))  # type: ignore[arg-type]


def decide(output: AuthorizerOutput, method_arn: str) -> Verdict:
    return evaluate_policy(output.policy, method_arn)


def _as_string(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def integration_context(output: AuthorizerOutput, latency_ms: int) -> dict[str, Any]:
    context: dict[str, Any] = {key: _as_string(value) for key, value in output.context.items()}
    if output.principal_id is not None:
        context["principalId"] = output.principal_id
    context["integrationLatency"] = latency_ms
    return context
