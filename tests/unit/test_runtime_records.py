"""The runtime defines no dataclass: each costs about 0.55 ms of every cold start (README, Layout)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import subprocess
import sys

import authorizer


def runtime_classes() -> list[type]:
    found = []
    for module_info in pkgutil.iter_modules(authorizer.__path__, "authorizer."):
        module = importlib.import_module(module_info.name)
        found += [value for _, value in inspect.getmembers(module, inspect.isclass) if value.__module__ == module.__name__]
    return found


def test_no_runtime_class_is_a_dataclass() -> None:
    classes = runtime_classes()
    assert len(classes) > 50  # every module of the runtime was imported and read
    assert [cls.__qualname__ for cls in classes if dataclasses.is_dataclass(cls)] == []


def test_importing_the_handler_does_not_import_dataclasses_at_all() -> None:
    # in a fresh process, as Lambda's init imports it (without the init fetch, whose h11 does)
    program = "import os, sys; os.environ.pop('AWS_LAMBDA_FUNCTION_NAME', None); import authorizer.app; " \
              "print('dataclasses' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
