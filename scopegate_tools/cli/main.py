"""``python -m scopegate_tools``: check, explain, test, diff and tabulate the rules (the tools' shell).

Exit codes: 0 all is well; 1 a check or test failed (or, for diff, decisions
change); 2 bad command line (or a token that does not decode); 3 an input does
not load (rules, template, decision tables, git revision).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from scopegate_tools.cli.caller_check import CallerCheck
from scopegate_tools.cli.check import check_json, render_check, run_check
from scopegate_tools.cli.coverage import view_routes
from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.diff import diff_decisions, render_diff
from scopegate_tools.cli.explain import (
    ExplainInputError,
    explain_scopes,
    explain_target,
    parse_target,
    render_scopes,
    render_target,
    scopes_from_text,
    scopes_from_token,
)
from scopegate_tools.cli.matrix_command import (
    MatrixUsageError,
    add_diff_html_argument,
    add_matrix_parser,
    run_matrix,
    write_diff_page,
)
from scopegate_tools.cli.output import to_json
from scopegate_tools.cli.policy_budget import DEFAULT_BUDGET_BYTES
from scopegate_tools.cli.service_declarations import read_service_declarations
from scopegate_tools.cli.route_source_options import (
    RouteSourceUsageError,
    add_route_source_arguments,
    read_route_source,
)
from scopegate_tools.cli.sources import InputError, read_clients, read_issuers, read_rules, read_rules_at_revision
from scopegate_tools.cli.table_report import render_tables, run_tables, tables_json

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3

DEFAULT_RULES = Path("policies/rules.yaml")
DEFAULT_TEMPLATE = Path("template.yaml")
DEFAULT_TESTS = Path("policies/rules_test.yaml")
DEFAULT_ISSUERS = Path("policies/issuers.yaml")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add_route_source_arguments(common, template=DEFAULT_TEMPLATE)
    common.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )

    parser = argparse.ArgumentParser(
        prog="python -m scopegate_tools",
        description="Check, explain, test and diff scopegate's rules against an API's routes: a SAM "
        "template (template.yaml), an OpenAPI document or a CloudFormation template.",
        epilog="exit codes: 0 all well; 1 a check or test failed (diff: decisions change); "
        "2 bad command line; 3 an input does not load",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", parents=[common], help="check the rules against the template")
    check.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="rules file (default: %(default)s)")
    check.add_argument("--strict", action="store_true", help="dead rules are errors, not warnings")
    check.add_argument(
        "--policy-budget-bytes",
        type=int,
        default=DEFAULT_BUDGET_BYTES,
        help="largest acceptable policy in bytes (default: %(default)s)",
    )
    check.add_argument("--stage", help="stage name for policy sizes (default: the template's longest)")
    check.add_argument(
        "--tests", type=Path, default=DEFAULT_TESTS,
        help="decision tables: the clients whose policy sizes are reported and whose client_id, org_id and "
        "issuer the rules' conditions should name (default: %(default)s, if it exists)",
    )
    check.add_argument(
        "--issuers", type=Path,
        help=f"issuers file to validate (default: {DEFAULT_ISSUERS}, if it exists)",
    )

    explain = sub.add_parser(
        "explain", parents=[common], help="explain decisions for scopes, a token or a route"
    )
    explain.add_argument(
        "route", nargs="?", help="a request ('DELETE /orders/42') or a template route ('GET /orders/{id}')"
    )
    explain.add_argument(
        "--rules", type=Path, default=DEFAULT_RULES, help="rules file (default: %(default)s)"
    )
    given = explain.add_mutually_exclusive_group()
    given.add_argument("--scopes", help='granted scopes, space-separated: "read:orders write:orders"')
    given.add_argument(
        "--token",
        help="an access token, decoded WITHOUT verification (never printed); - reads it from stdin",
    )
    explain.add_argument("--client", help="the caller's client id (azp), for rules with 'clients'")
    explain.add_argument("--org", help="the caller's organization (org_id), for rules with 'orgs'")
    explain.add_argument("--issuer", help="the caller's issuer (iss), for rules with 'issuers'")

    test = sub.add_parser("test", parents=[common], help="run the decision tables of rules_test.yaml")
    test.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="rules file (default: %(default)s)")
    test.add_argument(
        "--tests", type=Path, default=DEFAULT_TESTS, help="decision tables (default: %(default)s)"
    )

    diff = sub.add_parser("diff", parents=[common], help="decisions that change between two rule sets")
    diff.add_argument("files", nargs="*", type=Path, help="OLD NEW, or with --base just the rules file")
    diff.add_argument("--base", help="git revision of the old rules (e.g. HEAD~1, main)")
    diff.add_argument(
        "--tests", type=Path, default=DEFAULT_TESTS, help="clients to compare (default: %(default)s)"
    )
    add_diff_html_argument(diff)
    add_matrix_parser(sub, rules=DEFAULT_RULES, template=DEFAULT_TEMPLATE, tests=DEFAULT_TESTS)
    return parser


def _check(args: argparse.Namespace) -> tuple[int, str]:
    if args.policy_budget_bytes <= 0:
        raise _Usage("--policy-budget-bytes must be a positive number of bytes")
    ruleset = read_rules(args.rules)
    template = read_route_source(args)
    tables, unread = _tables_for_check(args, template)
    issuers_path = args.issuers or (DEFAULT_ISSUERS if DEFAULT_ISSUERS.exists() else None)
    report = run_check(
        ruleset,
        template.source,
        template.routes,
        template.audit,
        stage=args.stage or template.stage,
        budget_bytes=args.policy_budget_bytes,
        strict=args.strict,
        services=read_service_declarations(args.template, dict(args.parameter_overrides)) if template.sam else (),
        public_declaration=template.public_declaration,
        per_route=template.per_route,
        clients=tables or (),
        callers=CallerCheck.of(ruleset, tables, args.tests, read_issuers(issuers_path), unread),
    )
    code = EXIT_FAILED if report.errors else EXIT_OK
    return code, to_json(check_json(report)) if args.format == "json" else render_check(report)


def _tables_for_check(args: argparse.Namespace, template: Any) -> tuple[tuple[Client, ...] | None, str | None]:
    """The decision tables whose clients the rules' conditions should name, and why they were not read.

    Tables given with --tests must load (exit 3 otherwise); the default ones are read when they
    exist, and when they do not load here (another route source) only that is said.
    """
    if args.tests != DEFAULT_TESTS:
        return read_clients(args.tests, template), None
    if not args.tests.exists():
        return None, None
    try:
        return read_clients(args.tests, template), None
    except InputError as error:
        return None, str(error)


def _explain(args: argparse.Namespace) -> tuple[int, str]:
    ruleset = read_rules(args.rules)
    template = read_route_source(args)
    try:
        granted = (
            scopes_from_token(sys.stdin.readline() if args.token == "-" else args.token)
            if args.token is not None
            else scopes_from_text(args.scopes)
            if args.scopes is not None
            else None
        )
        target = parse_target(args.route, template.routes) if args.route else None
    except ExplainInputError as error:
        raise _Usage(str(error)) from None
    names = (args.client, args.org, args.issuer)
    if any(name is not None for name in names):
        if args.token is not None:
            raise _Usage("--client, --org and --issuer name the caller of --scopes; a --token names its own")
        granted = (granted or scopes_from_text("")).named(*names)
    views = view_routes(ruleset, template.routes)
    if target is not None:
        result: dict[str, Any] = explain_target(ruleset, views, template.public, target, granted)
        text = render_target(result, ruleset.source)
    elif granted is not None:
        result = explain_scopes(ruleset, views, granted)
        text = render_scopes(result)
    else:
        raise _Usage("give --scopes, --token or a route, e.g. explain 'GET /hello'")
    return EXIT_OK, to_json(result) if args.format == "json" else text


def _test(args: argparse.Namespace) -> tuple[int, str]:
    ruleset = read_rules(args.rules)
    template = read_route_source(args)
    clients = read_clients(args.tests, template)
    outcomes = run_tables(ruleset, view_routes(ruleset, template.routes), clients)
    code = EXIT_OK if all(o.passed for o in outcomes) else EXIT_FAILED
    if args.format == "json":
        return code, to_json(tables_json(outcomes, str(args.tests)))
    return code, render_tables(outcomes, clients, str(args.tests))


def _diff(args: argparse.Namespace) -> tuple[int, str]:
    if args.base is not None:
        if len(args.files) > 1:
            raise _Usage("with --base, give at most one rules file")
        path = args.files[0] if args.files else DEFAULT_RULES
        old, new = read_rules_at_revision(args.base, path), read_rules(path)
    elif len(args.files) == 2:
        old, new = read_rules(args.files[0]), read_rules(args.files[1])
    else:
        raise _Usage("give two rules files (diff OLD NEW) or a git revision (diff --base HEAD~1)")
    template = read_route_source(args)
    clients = read_clients(args.tests, template)
    changes = diff_decisions(old, new, template.routes, clients)
    code = EXIT_FAILED if changes else EXIT_OK
    write_diff_page(args, old, new, template, clients, changes)
    if args.format == "json":
        return code, to_json(
            {
                "old": old.source,
                "new": new.source,
                "changes": [change.as_json() for change in changes],
            }
        )
    return code, render_diff(changes, old.source, new.source)


def _matrix(args: argparse.Namespace) -> tuple[int, str]:
    return EXIT_OK, run_matrix(args)


class _Usage(Exception):
    """A command line that cannot be acted on (exit 2)."""


COMMANDS = {"check": _check, "explain": _explain, "test": _test, "diff": _diff, "matrix": _matrix}


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run one subcommand; return the exit code (never raises for bad input)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return int(exit_.code or 0)
    try:
        code, text = COMMANDS[args.command](args)
    except (_Usage, MatrixUsageError, RouteSourceUsageError) as error:
        return _fail(args, EXIT_USAGE, "usage", str(error), out, err)
    except InputError as error:
        return _fail(args, EXIT_INPUT, "input", str(error), out, err)
    out.write(text)
    return code


def _fail(args: argparse.Namespace, code: int, kind: str, message: str, out: TextIO, err: TextIO) -> int:
    if args.format == "json":
        out.write(to_json({"ok": False, "error": {"kind": kind, "message": message}}))
    err.write(f"error: {message}\n")
    return code


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
