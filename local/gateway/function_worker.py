"""One Lambda "container": runs in its own Python process, imports one handler, serves invocations.

Started by :mod:`local.gateway.functions` as ``python -I function_worker.py`` with the function's
environment, so its modules (two functions may both have ``app.py``), its module state and its
environment are its own, and stay warm across invocations. Standard library only, and its own
folder is not on ``sys.path``: the function sees its CodeUri and the installed packages, as in
Lambda.

Protocol: one JSON line per message. In: ``{"event", "request_id", "deadline_ms"}``. Out:
``{"ok": true, "result": ...}`` or ``{"ok": false, "errorType", "errorMessage"}`` (Lambda's error
shape). The function's own stdout goes to stderr, so prints and logs cannot break the protocol.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _load_handler(code_uri: str, handler: str, layers: list[str]) -> Any:
    # Lambda: the function's code (/var/task) first, then each layer's python/ folder (/opt/python)
    sys.path[:0] = [code_uri] + [os.path.join(layer, "python") for layer in layers]
    os.chdir(code_uri)
    module_name, _, function_name = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), function_name)


def _error(error: BaseException) -> dict[str, Any]:
    return {"ok": False, "errorType": type(error).__name__, "errorMessage": str(error)}


def main() -> None:
    code_uri, handler_name, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the gateway, which stops its workers
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the function's prints and logs go to stderr
    sys.stdout = sys.stderr
    handler = None
    init_error: BaseException | None = None
    try:
        handler = _load_handler(code_uri, handler_name, layers)
    except BaseException as error:  # noqa: BLE001 - an init error fails every invocation
        traceback.print_exc()
        init_error = error
    for line in sys.stdin:
        message = json.loads(line)
        if init_error is not None:
            reply = _error(init_error)
        else:
            try:
                context = LambdaContext(message["request_id"], message["deadline_ms"])
                reply = {"ok": True, "result": handler(message["event"], context)}
                json.dumps(reply)
            except BaseException as error:  # noqa: BLE001 - reported as Lambda reports it
                print(f"[ERROR] {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                reply = _error(error)
        try:
            text = json.dumps(reply)
        except (TypeError, ValueError) as error:
            text = json.dumps(_error(error))
        protocol.write(text + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
