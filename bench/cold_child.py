"""One cold start in a fresh process, as Lambda makes one: import the handler's module (the init
phase), then one invocation.

``python -S cold_child.py MODULE TOKEN_FILE`` (MODULE: ``authorizer.app`` or ``minimal_authorizer``)
writes one JSON line to stderr: ``started`` (the monotonic clock at this file's first line, which
the parent compares with the moment it spawned the process: the interpreter's start-up),
``bootstrapped`` (the runtime's own imports done: bench/lambda_runtime.py), ``initialized`` (the
module imported), ``decided`` (the first response returned), ``allowed``, and
``modules`` (which of PyYAML and PyJWT were imported by then). Standard library only: it runs
inside the artifact (bench/cold_site.py).
"""

import time

started = time.monotonic()

import lambda_runtime  # noqa: E402, F401 - what Lambda's runtime imports before init

bootstrapped = time.monotonic()

import importlib  # noqa: E402 - only what the measured process needs
import json  # noqa: E402
import sys  # noqa: E402


class Context:
    aws_request_id = "bench-cold-start"
    function_name = "scopegate-bench"


def main() -> None:
    module_name, token_file = sys.argv[1], sys.argv[2]
    with open(token_file) as handle:
        token = handle.read().strip()
    event = {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {token}",
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod/GET/hello",
    }
    handler = importlib.import_module(module_name).lambda_handler
    initialized = time.monotonic()
    response = handler(event, Context())
    decided = time.monotonic()
    allowed = response["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    sys.stderr.write(json.dumps({
        "started": started, "bootstrapped": bootstrapped, "initialized": initialized, "decided": decided, "allowed": allowed,
        "modules": {name: name in sys.modules for name in ("yaml", "jwt")},
    }) + "\n")


main()
