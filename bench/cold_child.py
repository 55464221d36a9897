"""One cold start in a fresh process: import, configuration, rules, JWKS over loopback, first decision.

``python -m bench.cold_child scopegate|minimal TOKEN_FILE`` prints one JSON line:
``{"in_process_ms": ..., "allowed": true}``. Nothing is imported before the clock starts but the
standard library needed to read the token.
"""

import json
import sys
import time

started = time.perf_counter()


def main() -> None:
    which, token_file = sys.argv[1], sys.argv[2]
    with open(token_file) as handle:
        token = handle.read().strip()
    event = {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {token}",
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod/GET/hello",
    }
    if which == "scopegate":
        from authorizer.app import lambda_handler
    else:
        from bench.minimal_authorizer import lambda_handler
    response = lambda_handler(event, None)
    elapsed_ms = (time.perf_counter() - started) * 1000
    allowed = response["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    sys.stderr.write(json.dumps({"in_process_ms": elapsed_ms, "allowed": allowed}) + "\n")


main()
