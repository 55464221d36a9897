"""Load a service from services/<name>/ the way its Lambda would see it, one module per service.

Every service has an ``app.py`` (Handler: app.lambda_handler), so each one is
loaded under its own module name; its sibling modules are importable by plain
name while it loads, as they are from the root of the function's artifact.
The shared layer (services/shared/python) is on the path through pyproject.toml.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.conftest import LogLines

SERVICES = Path(__file__).resolve().parents[2] / "services"


@contextmanager
def _service_path(name: str) -> Iterator[None]:
    root = str(SERVICES / name)
    sys.path.insert(0, root)
    try:
        yield
    finally:
        sys.path.remove(root)


def service_module(name: str, module: str) -> ModuleType:
    """A sibling module of a service (e.g. ``order`` of orders), imported by its plain name."""
    with _service_path(name):
        return importlib.import_module(module)


def load_service_app(name: str) -> ModuleType:
    """A fresh copy of ``services/<name>/app.py`` (module-level state starts anew)."""
    with _service_path(name):
        spec = importlib.util.spec_from_file_location(f"service_{name}_app", SERVICES / name / "app.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@contextmanager
def captured_log(service: str, logger: Any) -> Iterator[LogLines]:
    """Capture what ``service``'s Powertools logger writes, its children's lines included."""
    handler = LogLines(logger)
    target = logging.getLogger(service)
    target.addHandler(handler)
    try:
        yield handler
    finally:
        target.removeHandler(handler)


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None
