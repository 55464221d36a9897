"""Lambda functions of the template, each in its own warm worker process.

:class:`FunctionPool` starts a function's worker on first use and keeps it (a warm container);
one invocation at a time per function; a worker that exceeds the function's timeout is killed
(a cold start follows). :meth:`FunctionPool.restart` drops a worker, e.g. after its rules changed;
:meth:`FunctionPool.close` drops them all, and a request still under way on a closed pool (the
template was reloaded meanwhile) is answered by a worker that is stopped right after.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scopegate_tools.sam_template import FunctionSpec

WORKER = Path(__file__).resolve().parent / "function_worker.py"
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


class InvocationTimeout(Exception):
    """The function ran past its Timeout."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """A finished invocation: the result, or Lambda's error type and message."""

    ok: bool
    result: Any = None
    error_type: str | None = None
    error_message: str | None = None


def lambda_environment(spec: FunctionSpec, region: str) -> dict[str, str]:
    """The process environment of a function: Lambda's variables, then the template's."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python3.13'}",
            "_HANDLER": spec.handler,
            "TZ": ":UTC",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(spec.environment)
    return env


class _Worker:
    def __init__(self, spec: FunctionSpec, code_root: Path, region: str) -> None:
        code_uri = (code_root / spec.code_uri).resolve()
        layers = [str((code_root / layer).resolve()) for layer in spec.layers]
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), str(code_uri), spec.handler, *layers],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=lambda_environment(spec, region),
            cwd=code_uri,
            text=True,
            encoding="utf-8",
        )

    def invoke(self, event: Mapping[str, Any], request_id: str, timeout_seconds: float) -> Invocation:
        assert self.process.stdin is not None and self.process.stdout is not None
        deadline = time.time() + timeout_seconds
        message = {"event": event, "request_id": request_id, "deadline_ms": int(deadline * 1000)}
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_seconds)
        if not ready:
            raise InvocationTimeout(f"timed out after {timeout_seconds} s")
        line = self.process.stdout.readline()
        if not line:
            return Invocation(False, error_type="Runtime.ExitError", error_message="the function exited")
        reply = json.loads(line)
        if reply["ok"]:
            return Invocation(True, result=reply["result"])
        return Invocation(False, error_type=reply["errorType"], error_message=reply["errorMessage"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class FunctionPool:
    def __init__(self, functions: Mapping[str, FunctionSpec], code_root: Path, region: str) -> None:
        self._functions = functions
        self._code_root = code_root
        self._region = region
        self._workers: dict[str, _Worker] = {}
        self._locks = {name: threading.Lock() for name in functions}
        self._closed = False
        self.invocations: Counter[str] = Counter()

    def invoke(self, name: str, event: Mapping[str, Any], request_id: str) -> Invocation:
        spec = self._functions[name]
        with self._locks[name]:
            self.invocations[name] += 1
            worker = self._workers.get(name)
            if worker is None or worker.process.poll() is not None:
                worker = self._workers[name] = _Worker(spec, self._code_root, self._region)
            try:
                invocation = worker.invoke(event, request_id, spec.timeout_seconds)
            except (InvocationTimeout, OSError, ValueError):
                worker.stop()
                del self._workers[name]
                raise InvocationTimeout(f"{name} did not answer within {spec.timeout_seconds} s") from None
            if self._closed or (not invocation.ok and invocation.error_type == "Runtime.ExitError"):
                worker.stop()
                del self._workers[name]
            return invocation

    def restart(self, name: str) -> None:
        """Drop a function's warm worker; the next invocation is a cold start."""
        with self._locks[name]:
            worker = self._workers.pop(name, None)
            if worker is not None:
                worker.stop()

    def close(self) -> None:
        """Stop every worker, after its invocation under way; later invocations leave none running."""
        self._closed = True
        for name in self._functions:
            self.restart(name)
