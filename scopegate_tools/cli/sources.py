"""The rules tools' inputs, read from disk or git (the I/O half of the tools)."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scopegate_tools.cli.decision_tables import Client, DecisionTableError, load_decision_tables
from scopegate_tools.cli.route_audit import RouteAudit, audit_routes
from scopegate_tools.cli.template_routes import TemplateRoute, guarded_routes, public_routes
from authorizer.errors import RulesError
from authorizer.rules import RuleSet, compile_rules, load_rules

GIT_TIMEOUT_SECONDS = 30


class InputError(Exception):
    """An input that does not load; the message names the file, the line and the fix."""


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    stage: str
    routes: tuple[TemplateRoute, ...]  # guarded by scopegate's authorizer
    public: tuple[TemplateRoute, ...]  # declared public (Authorizer: NONE on a scopegate API)
    audit: RouteAudit  # the same, per event, and every route scopegate does not guard
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
    return Template(str(path), stages[-1] if stages else "Prod", guarded_routes(app), public_routes(app), audit,
                    per_route=modes == {"REQUEST"})


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
