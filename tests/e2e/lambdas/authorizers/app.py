"""Test-only TOKEN authorizers, each wrong or odd in one deliberate way (Handler: app.<name>)."""

from __future__ import annotations

from typing import Any


def _policy(effect_resources: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
            for effect, resource in effect_resources
        ],
    }


def _stage_prefix(method_arn: str) -> str:
    api_part, stage = method_arn.split("/")[:2]
    return f"{api_part}/{stage}"


def own_arn_only(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The classic mistake: allow exactly the methodArn of the call that built the policy."""
    return {
        "principalId": "own-arn-client",
        "policyDocument": _policy([("Allow", event["methodArn"])]),
        "context": {"first_arn": event["methodArn"], "count": 1, "ratio": 0.5, "trusted": True},
    }


def deny_secret(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Allow everything of the stage, and explicitly deny GET /secret."""
    prefix = _stage_prefix(event["methodArn"])
    return {
        "principalId": "deny-secret-client",
        "policyDocument": _policy([("Allow", f"{prefix}/*"), ("Deny", f"{prefix}/GET/secret")]),
    }


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Runs past its function Timeout."""
    import time

    time.sleep(context.get_remaining_time_in_millis() / 1000 + 5)
    return own_arn_only(event, context)


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("the authorizer crashed")


def list_in_context(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "principalId": "list-client",
        "policyDocument": _policy([("Allow", f"{_stage_prefix(event['methodArn'])}/*")]),
        "context": {"roles": ["a", "b"]},
    }
