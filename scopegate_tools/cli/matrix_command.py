"""``matrix`` and ``diff --html`` on the command line: arguments, inputs, the page written (the I/O shell).

:mod:`scopegate_tools.cli.main` registers the command and answers :class:`MatrixUsageError`
with exit 2, as every bad command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scopegate_tools.cli.coverage import sample_requests
from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.diff import Change
from scopegate_tools.cli.matrix import (
    AccessMatrix,
    ScopeSetError,
    Subject,
    build_matrix,
    client_subjects,
    matrix_json,
    scope_subjects,
)
from scopegate_tools.cli.matrix_html import render_diff_html, render_html
from scopegate_tools.cli.matrix_text import render_markdown, render_text
from scopegate_tools.cli.output import to_json
from scopegate_tools.cli.route_source_options import add_route_source_arguments, read_route_source
from scopegate_tools.cli.sources import Template, read_clients, read_rules
from authorizer.rules import RuleSet


class MatrixUsageError(Exception):
    """A --scopes or --html argument that cannot be used (exit 2); the message says why."""


def add_matrix_parser(commands: Any, *, rules: Path, template: Path, tests: Path) -> None:
    """Add ``matrix`` to ``commands``, what ``ArgumentParser.add_subparsers`` returned."""
    matrix = commands.add_parser("matrix", help="who may call what: clients (and scope sets) by template routes")
    matrix.add_argument("--rules", type=Path, default=rules, help="rules file (default: %(default)s)")
    add_route_source_arguments(matrix, template=template)
    matrix.add_argument("--tests", type=Path, default=tests, help="clients, the rows (default: %(default)s)")
    matrix.add_argument(
        "--scopes",
        action="append",
        default=[],
        help='a row more for these scopes: "read:orders admin" (repeatable)',
    )
    matrix.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="output format (default: text)"
    )
    matrix.add_argument("--html", type=Path, help="also write the matrix as a self-contained HTML page")


def add_diff_html_argument(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("--html", type=Path, help="also write the access matrix with the changed cells outlined")


def _matrix_of(
    ruleset: RuleSet,
    compared: Sequence[RuleSet],
    template: Template,
    subjects: Sequence[Subject],
    tables: Path,
) -> AccessMatrix:
    return build_matrix(
        ruleset,
        sample_requests(compared, template.routes),
        subjects,
        template=template.source,
        tables=str(tables),
        public=template.public,
    )


def write_page(path: Path, page: str) -> None:
    try:
        path.write_text(page, encoding="utf-8", newline="\n")
    except OSError as error:
        raise MatrixUsageError(f"--html {path}: cannot write the page ({error.strerror or error})") from None


def run_matrix(args: argparse.Namespace) -> str:
    """The matrix in the chosen format; the HTML page written too with --html."""
    try:
        scope_rows = scope_subjects(args.scopes)
    except ScopeSetError as error:
        raise MatrixUsageError(str(error)) from None
    ruleset = read_rules(args.rules)
    template = read_route_source(args)
    clients = read_clients(args.tests, template)
    subjects = client_subjects(clients, str(args.tests)) + scope_rows
    matrix = _matrix_of(ruleset, (ruleset,), template, subjects, args.tests)
    if args.html is not None:
        write_page(args.html, render_html(matrix))
    if args.format == "json":
        return to_json(matrix_json(matrix))
    return render_markdown(matrix) if args.format == "markdown" else render_text(matrix)


def write_diff_page(
    args: argparse.Namespace,
    old: RuleSet,
    new: RuleSet,
    template: Template,
    clients: Sequence[Client],
    changes: Sequence[Change],
) -> None:
    """With --html: the new rules' matrix, on the requests diff compared, with the changed cells outlined."""
    if args.html is None:
        return
    matrix = _matrix_of(new, (old, new), template, client_subjects(clients, str(args.tests)), args.tests)
    flipped = {(change.client.name, change.route.text): change.before for change in changes}
    write_page(args.html, render_diff_html(matrix, old.source, flipped))
