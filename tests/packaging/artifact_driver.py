"""Run inside a sam build artifact by the Lambda runtime's Python (``python -S``, PYTHONPATH = artifact).

Standard library only: it must not import anything from the repository. Commands (argv[1]):

* ``invoke RESULT_FILE MODULE:FUNCTION`` reads a JSON list of events on stdin, calls the handler
  on each (as Lambda would, with a context object) and writes to RESULT_FILE a JSON object:
  ``python`` (major.minor), ``sys_path``, ``imported`` (every module in ``sys.modules`` after the
  last event), ``origins`` (the file each top-level module loaded came from, for the modules named
  in the ``SCOPEGATE_CHECK_ORIGINS`` variable, imported after that) and ``results`` (per event, the
  response or the exception's type and message). Handlers log to stdout; results go to the file.
* ``bytecode RESULT_FILE`` writes the list of problems with the shipped bytecode: every ``.py``
  of the artifact must have a pyc for this Python that is hash-based, unchecked and current.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path


class LambdaContext:
    function_name = "scopegate-artifact-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:scopegate-artifact-test"

    def __init__(self, number: int) -> None:
        self.aws_request_id = f"artifact-{number:04d}"


def invoke(result_file: str, target: str) -> None:
    module_name, function_name = target.split(":")
    handler = getattr(importlib.import_module(module_name), function_name)
    results = []
    for number, event in enumerate(json.load(sys.stdin)):
        try:
            results.append({"response": handler(event, LambdaContext(number))})
        except Exception as error:  # noqa: BLE001 - reported to the test as a value
            results.append({"error": [type(error).__name__, str(error)]})
    imported = sorted(sys.modules)
    origins = {}
    for name in filter(None, os.environ.get("SCOPEGATE_CHECK_ORIGINS", "").split(",")):
        module = importlib.import_module(name)
        origins[name] = str(Path(module.__file__).resolve())
    Path(result_file).write_text(json.dumps({
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "origins": origins,
        "sys_path": sys.path,
        "imported": imported,
        "results": results,
    }))


def bytecode_problems(root: Path) -> list[str]:
    problems = []
    for source in sorted(root.rglob("*.py")):
        relative = source.relative_to(root)
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.is_file():
            problems.append(f"{relative}: no {cached.name}")
            continue
        data = cached.read_bytes()
        flags = int.from_bytes(data[4:8], "little")
        if data[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"{relative}: pyc is for another Python")
        elif flags != 0b01:
            problems.append(f"{relative}: pyc is not hash-based and unchecked (flags {flags})")
        elif data[8:16] != importlib.util.source_hash(source.read_bytes()):
            problems.append(f"{relative}: pyc does not match its source")
    return problems


def main() -> None:
    command, result_file, *rest = sys.argv[1:]
    if command == "invoke":
        invoke(result_file, rest[0])
    elif command == "bytecode":
        root = Path(os.environ["PYTHONPATH"])
        Path(result_file).write_text(json.dumps(bytecode_problems(root)))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
