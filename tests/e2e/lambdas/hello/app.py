"""A test-only function whose module is also named ``app`` (like echo's): proves isolation."""

import json


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "hello world"})}
