"""The rules tools' inputs, read from disk or git (the I/O half of the tools)."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable

from scopegate_tools.cli.decision_tables import Client, DecisionTableError, load_decision_tables
from scopegate_tools.cli.api_audit import audit_api
from scopegate_tools.cli.route_audit import RouteAudit, audit_routes
from scopegate_tools.cli.template_routes import TemplateRoute, guarded_routes, public_routes, routes_of, template_route
from scopegate_tools.cli.caller_check import IssuersRead
from authorizer.config import SUPPORTED_PROFILES
from authorizer.errors import RulesError
from authorizer.issuers import IssuersError, load_issuers
from authorizer.rules import RuleSet, compile_rules, load_rules

if TYPE_CHECKING:
    from scopegate_tools.rest_api import RestApiDocument

GIT_TIMEOUT_SECONDS = 30


class InputError(Exception):
    """An input that does not load; the message names the file, the line and the fix."""


SAM_PUBLIC_DECLARATION = "Auth: {Authorizer: NONE}"
DEFAULT_STAGE = "Prod"


@dataclass(frozen=True, slots=True)
class Template:
    """The routes of one route source: a SAM template, an OpenAPI document or a CloudFormation template."""

    source: str
    stage: str
    routes: tuple[TemplateRoute, ...]  # guarded by scopegate's authorizer
    public: tuple[TemplateRoute, ...]  # declared public (Authorizer: NONE on a scopegate API)
    audit: RouteAudit  # the same, per event, and every route scopegate does not guard
    public_declaration: str = SAM_PUBLIC_DECLARATION  # how this source declares a route public
    sam: bool = True  # a SAM template (whose functions' scopes.toml check also reads)
    per_route: bool = False  # every guarded route is behind a REQUEST authorizer (per-route mode)


def parameter_override(text: str) -> tuple[str, str]:
    """One ``KEY=VALUE`` of ``--parameter-overrides`` (an argparse ``type``)."""
    key, found, value = text.partition("=")
    if not found or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE, e.g. AuthorizerMode=REQUEST")
    return key, value


def add_parameter_overrides_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parameter-overrides", nargs="+", type=parameter_override, default=[], metavar="KEY=VALUE",
        help="template parameters, as sam's --parameter-overrides, e.g. AuthorizerMode=REQUEST "
        "(default: the template's defaults)",
    )


def read_template(path: Path, overrides: Mapping[str, str] | None = None) -> Template:
    """The template as deployed with ``overrides`` (like ``sam deploy --parameter-overrides``)."""
    try:
        from scopegate_tools.sam_template import TemplateError, load_template
    except ImportError as error:  # cfn-lint is a tools dependency
        raise InputError(f"cannot read {path}: {error}; run `make install`") from None
    try:
        app = load_template(path, overrides)
    except TemplateError as error:
        raise InputError(str(error)) from None
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise InputError(
            f"{path}: the template is not a SAM template this tool can read "
            f"({error.__class__.__name__}: {error}); `make lint-template` (cfn-lint) names the problem"
        ) from None
    audit = audit_routes(app)
    # policies are built for the APIs scopegate guards: the longest of their stages sizes them
    stages = sorted({app.apis[route.api].stage for route in audit.guarded}, key=len)
    modes = {app.apis[route.api].authorizers[route.authorizer].payload_type
             for route in audit.guarded if route.authorizer is not None}
    return Template(str(path), stages[-1] if stages else DEFAULT_STAGE, guarded_routes(app), public_routes(app), audit,
                    per_route=modes == {"REQUEST"})


def read_openapi(path: Path, authorizer_function: str | None) -> Template:
    """An OpenAPI 3 / Swagger 2 document's routes (:mod:`scopegate_tools.openapi_document`)."""
    from scopegate_tools.openapi_document import load_openapi

    return _rest_api_template(load_openapi, path, authorizer_function)


def read_cloudformation(path: Path, authorizer_function: str | None) -> Template:
    """A plain CloudFormation template's REST API routes (:mod:`scopegate_tools.cloudformation_api`)."""
    from scopegate_tools.cloudformation_api import load_cloudformation

    return _rest_api_template(load_cloudformation, path, authorizer_function)


def _rest_api_template(
    load: Callable[[Path], RestApiDocument], path: Path, authorizer_function: str | None
) -> Template:
    from scopegate_tools.document_loader import DocumentError

    try:
        document = load(path)
    except ImportError as error:  # cfn-lint is a tools dependency
        raise InputError(f"cannot read {path}: {error}; install the tools: pip install 'scopegate[tools]'") from None
    except DocumentError as error:
        raise InputError(str(error)) from None
    audit = audit_api(document, authorizer_function)
    modes = {document.authorizers[route.authorizer].kind for route in audit.guarded if route.authorizer is not None}
    return Template(
        source=document.path,
        stage=document.stage or DEFAULT_STAGE,
        routes=routes_of(audit.guarded),
        public=tuple(template_route(spec.method, spec.path, spec.line) for spec in audit.public),
        audit=audit,
        public_declaration=document.source.public_declaration,
        sam=False,
        per_route=modes == {"REQUEST"},
    )


def read_rules(path: Path) -> RuleSet:
    """The rules, loaded by the authorizer's own loader."""
    try:
        return load_rules(path)
    except RulesError as error:
        raise InputError(str(error)) from None


def read_rules_at_revision(revision: str, path: Path) -> RuleSet:
    """The rules file as it was at a git revision (``git show REV:./file``)."""
    if revision.startswith("-"):
        raise InputError(f"{revision!r} is not a git revision")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        shown = subprocess.run(
            ["git", "show", f"{revision}:./{path.name}"],
            cwd=folder,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(f"cannot run git to read {path} at {revision}: {error}") from None
    if shown.returncode != 0:
        reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"{revision}:{path}: git cannot show it ({reason[-1] if reason else 'unknown error'})"
        )
    try:
        text = shown.stdout.decode("utf-8")
        return compile_rules(text, f"{revision}:{path}")
    except UnicodeDecodeError:
        raise InputError(f"{revision}:{path}: not UTF-8") from None
    except RulesError as error:
        raise InputError(str(error)) from None


def read_clients(path: Path, template: Template) -> tuple[Client, ...]:
    try:
        return load_decision_tables(path, template.routes, template.public)
    except DecisionTableError as error:
        raise InputError(str(error)) from None


def read_issuers(path: Path | None) -> IssuersRead | None:
    """The issuers file, or its problems (``check`` reports each as an error); None without a file.

    Its entries' default profiles are both dialects: TOKEN_PROFILES is the deployment's, unknown here.
    """
    if path is None:
        return None
    try:
        return IssuersRead(str(path), load_issuers(path, default_profiles=SUPPORTED_PROFILES))
    except IssuersError as error:
        return IssuersRead(str(path), problems=error.problems)
