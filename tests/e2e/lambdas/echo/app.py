"""Test-only service: answers what it was given, plus its own warm state and environment.

Its module is ``app`` like services/hello's, to show that each function loads in isolation.
"""

from __future__ import annotations

import json
import os
from typing import Any

INVOCATIONS = 0  # module state: grows while the container stays warm


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global INVOCATIONS
    INVOCATIONS += 1
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"X-Echo": ["one", "two"]},
        "body": json.dumps(
            {
                "invocations": INVOCATIONS,
                "echo_name": os.environ.get("ECHO_NAME"),
                "token_issuer": os.environ.get("TOKEN_ISSUER"),
                "resource": event["resource"],
                "path": event["path"],
                "pathParameters": event["pathParameters"],
                "queryStringParameters": event["queryStringParameters"],
                "authorizer": event["requestContext"]["authorizer"],
                "requestContext.path": event["requestContext"]["path"],
            },
            sort_keys=True,
        ),
    }
