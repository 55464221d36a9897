"""The services' scopes.toml, read with the layer's own reader (the I/O half of the re-check comparison).

Each function that has a ``scopes.toml`` beside its code (``<CodeUri>/scopes.toml``) is read with
``scopegate_context.route_scopes`` from the layer the function lists in the template
(``<ContentUri>/python``, where Lambda puts it), so the tool reads each file exactly as the
deployed service does, and with the routes the template gives that function.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from scopegate_tools.cli.sources import InputError
from scopegate_tools.cli.template_routes import TemplateRoute, template_route

LAYER_PACKAGE = "scopegate_context"
READER = f"{LAYER_PACKAGE}.route_scopes"
SCOPES_FILE = "scopes.toml"  # the name scopegate_context.route_scopes reads (a test holds them equal)


@dataclass(frozen=True, slots=True)
class ServiceDeclaration:
    """One function's scopes.toml, and the routes the template gives that function."""

    function: str
    source: str  # the scopes.toml, as a path
    routes: Mapping[str, Any]  # "METHOD /path" -> scopegate_context.route_scopes.RouteScopes
    guarded: tuple[TemplateRoute, ...]  # its routes behind the TOKEN authorizer
    public: tuple[TemplateRoute, ...]  # its routes with Authorizer: NONE


def _reader(python_dir: Path) -> ModuleType:
    """``scopegate_context.route_scopes`` of the layer at ``python_dir`` (imported once per process)."""
    loaded = sys.modules.get(LAYER_PACKAGE)
    if loaded is None:
        sys.path.insert(0, str(python_dir))
        try:
            return importlib.import_module(READER)
        except ImportError as error:
            raise InputError(f"cannot load {READER} from {python_dir}: {error}; run `make install`") from None
        finally:
            sys.path.remove(str(python_dir))
    where = Path(loaded.__file__ or "").resolve().parent.parent
    if where != python_dir:
        raise InputError(
            f"{LAYER_PACKAGE} is already loaded from {where}, not from the layer at {python_dir}; "
            "check one template's services per run"
        )
    return importlib.import_module(READER)


def _layer_python_dir(layers: Sequence[str], root: Path) -> Path | None:
    for content in layers:
        python_dir = (root / content / "python").resolve()
        if (python_dir / LAYER_PACKAGE / "route_scopes.py").is_file():
            return python_dir
    return None


def read_service_declarations(
    template_path: Path, overrides: Mapping[str, str] | None = None
) -> tuple[ServiceDeclaration, ...]:
    """The scopes.toml of every function that has one beside its code (``<CodeUri>/scopes.toml``)."""
    from scopegate_tools.sam_template import TemplateError, load_template

    try:
        app = load_template(template_path, overrides)
    except TemplateError as error:
        raise InputError(str(error)) from None
    root = template_path.parent
    found = []
    for name, function in app.functions.items():
        code = root / function.code_uri
        scopes_file = code / SCOPES_FILE
        if name in app.authorizer_functions or not scopes_file.is_file():
            continue
        python_dir = _layer_python_dir(function.layers, root)
        if python_dir is None:
            raise InputError(
                f"{scopes_file}: {name} lists no layer with {LAYER_PACKAGE}, so nothing reads this file; "
                "add `Layers: [!Ref ServiceContextLayer]` to the function in the template"
            )
        reader = _reader(python_dir)
        try:
            declared = reader.load_declared_scopes(code)
        except reader.ScopesFileError as error:
            raise InputError(str(error)) from None
        routes = [spec for spec in app.routes if spec.function == name]
        guarded: dict[str, TemplateRoute] = {}
        for spec in routes:
            api = app.apis.get(spec.api)
            if spec.authorizer is None or (api is not None and spec.authorizer not in api.authorizers):
                continue  # public, or another kind of authorizer: not ours to compare
            guarded.setdefault(spec.text, template_route(spec.method, spec.path, spec.line))
        public = tuple(template_route(s.method, s.path, s.line) for s in routes if s.authorizer is None)
        found.append(ServiceDeclaration(name, declared.source, declared.routes, tuple(guarded.values()), public))
    return tuple(found)
