"""``--template`` / ``--openapi`` / ``--cloudformation``: which route source a command reads (the tools' shell).

Every command that needs routes (check, explain, test, diff, matrix) takes exactly one source:
a SAM template (the default, ``template.yaml``), an OpenAPI 3 / Swagger 2 document, or a plain
CloudFormation template (``cdk synth``). ``--authorizer-function`` names scopegate's function where
the source names it only by ARN (see :mod:`scopegate_tools.cli.api_audit`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scopegate_tools.cli.sources import (
    Template,
    add_parameter_overrides_argument,
    read_cloudformation,
    read_openapi,
    read_template,
)


class RouteSourceUsageError(Exception):
    """Route-source options that cannot be used together (exit 2); the message says why."""


def add_route_source_arguments(parser: argparse.ArgumentParser, *, template: Path) -> None:
    sources = parser.add_mutually_exclusive_group()
    sources.add_argument(
        "--template", type=Path, default=template, help="SAM template with Api events (default: %(default)s)"
    )
    sources.add_argument(
        "--openapi", type=Path, metavar="FILE",
        help="OpenAPI 3 or Swagger 2 document, JSON or YAML (an API Gateway export with "
        "extensions='authorizers', or a DefinitionBody)",
    )
    sources.add_argument(
        "--cloudformation", type=Path, metavar="FILE",
        help="plain CloudFormation template with AWS::ApiGateway::RestApi/Resource/Method/Authorizer "
        "(what cdk synth writes)",
    )
    parser.add_argument(
        "--authorizer-function", metavar="NAME",
        help="with --openapi/--cloudformation: scopegate's Lambda function, by name, ARN or logical id, "
        "where the source names it only by ARN",
    )
    add_parameter_overrides_argument(parser)


def read_route_source(args: argparse.Namespace) -> Template:
    """The routes of the source the command line names."""
    if args.parameter_overrides and (args.openapi is not None or args.cloudformation is not None):
        raise RouteSourceUsageError("--parameter-overrides goes with a SAM template (--template)")
    if args.openapi is not None:
        return read_openapi(args.openapi, args.authorizer_function)
    if args.cloudformation is not None:
        return read_cloudformation(args.cloudformation, args.authorizer_function)
    if args.authorizer_function is not None:
        raise RouteSourceUsageError(
            "--authorizer-function goes with --openapi or --cloudformation; a SAM template's authorizer "
            "is recognised by its function's Handler (authorizer.app.lambda_handler)"
        )
    return read_template(args.template, dict(args.parameter_overrides))
