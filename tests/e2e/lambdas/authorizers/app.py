"""Test-only authorizers, each wrong or odd in one deliberate way (Handler: app.<name>)."""

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


def describe_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Allow the stage, and say in the context what the event held (never a header's value)."""
    request_context = event.get("requestContext") or {}
    return {
        "principalId": "describing-client",
        "policyDocument": _policy([("Allow", f"{_stage_prefix(event['methodArn'])}/*")]),
        "context": {
            "type": event["type"],
            "keys": " ".join(sorted(event)),
            "resource": str(event.get("resource")),
            "path": str(event.get("path")),
            "pathParameters": str(event.get("pathParameters")),
            "context_resource_path": str(request_context.get("resourcePath")),
            "context_http_method": str(request_context.get("httpMethod")),
            "header_names": " ".join(sorted(event.get("headers") or {})),
        },
    }
