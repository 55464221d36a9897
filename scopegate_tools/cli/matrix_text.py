"""The access matrix as plain text and as Markdown (pure).

Text puts the routes in rows and the clients in columns, each cell naming its
deciding rules by number (a legend below gives each rule): route texts are
longer than client names and an API has more routes than a review has
clients, so the table grows down, as a terminal scrolls, instead of wrapping.
Markdown keeps the clients in rows and the routes in columns, as the HTML page
does: it is read rendered (a pull request, a wiki), which scrolls sideways.
"""

from __future__ import annotations

from scopegate_tools.cli.matrix import AccessMatrix, Cell, Kind, Subject
from scopegate_tools.cli.output import table
from authorizer.rules import Rule

_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~&")  # what can start inline markup in a table cell

TEXT_KEY = (
    "Each cell is the authorizer's decision (RuleSet.decide) and the rules that made it:",
    "  allow 4+5       rules 4 and 5 match and the scopes satisfy both",
    "  deny 3          rule 3 matches and the caller does not satisfy it (or it is a deny rule naming it)",
    "  deny (no rule)  no rule matches",
    "  A / B           the route's requests are decided differently; explain 'METHOD /path' shows them",
)


def one_line(text: str) -> str:
    """Text from a file, safe to print in one table cell (control characters become '?')."""
    return "".join(char if char.isprintable() else "?" for char in text)


def scope_list(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes)) or "(none)"


def _numbers(rules: tuple[Rule, ...]) -> str:
    return "+".join(str(rule.index) for rule in rules)


def _text_kind(kind: Kind, with_verdict: bool) -> str:
    verdict = "allow" if kind.decision.allowed else "deny"
    refs = _numbers(kind.deciding) or "(no rule)"
    return f"{verdict} {refs}" if with_verdict else refs


def text_cell(cell: Cell) -> str:
    """``allow 4+5``, ``deny 3``, ``deny (no rule)``; kinds of requests joined by `` / ``."""
    mixed = len({kind.decision.allowed for kind in cell.kinds}) > 1
    parts = [_text_kind(kind, position == 0 or mixed) for position, kind in enumerate(cell.kinds)]
    return " / ".join(parts)


def rule_line(rule: Rule) -> list[str]:
    name = rule.route.text if rule.id == rule.route.text else f"{rule.id}: {rule.route.text}"
    need = f"{rule.requirement} (deny rule)" if rule.deny else f"needs {rule.requirement}"
    return [str(rule.index), name, need, f"line {rule.line}"]


def _heading(matrix: AccessMatrix) -> str:
    rules = matrix.ruleset
    clients = f", clients of {matrix.tables}" if matrix.tables else ""
    return f"rules {rules.source} (sha256 {rules.digest}), routes of {matrix.template}{clients}"


def _public(matrix: AccessMatrix) -> str:
    routes = ", ".join(one_line(route.text) for route in matrix.public) or "none"
    return f"Public routes (Authorizer: NONE; anyone may call them, the rules are not consulted): {routes}"


def render_text(matrix: AccessMatrix) -> str:
    lines = [f"Access matrix: {_heading(matrix)}", ""]
    headers = ["ROUTE", *(one_line(subject.name) for subject in matrix.subjects)]
    rows = [
        [one_line(route.text), *(text_cell(row[column]) for row in matrix.rows)]
        for column, route in enumerate(matrix.routes)
    ]
    lines += table(headers, rows)
    lines += ["", "Columns:"]
    if any(subject.identity for subject in matrix.subjects):
        lines += table(
            ["NAME", "SCOPES", "CALLER", "FROM"],
            [[one_line(s.name), one_line(scope_list(s.scopes)), one_line(s.identity) or "-", s.origin]
             for s in matrix.subjects],
            indent=2,
        )
    else:
        lines += table(
            ["NAME", "SCOPES", "FROM"],
            [[one_line(s.name), one_line(scope_list(s.scopes)), s.origin] for s in matrix.subjects],
            indent=2,
        )
    lines += ["", f"Rules ({matrix.ruleset.source}):"]
    lines += table(["#", "RULE", "REQUIREMENT", "WHERE"], [rule_line(r) for r in matrix.ruleset.rules], indent=2)
    lines += ["", _public(matrix), "", *TEXT_KEY]
    return "\n".join(lines) + "\n"


def md_text(text: str) -> str:
    """Text from a file as literal Markdown: markup characters escaped, one line."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIAL else char for char in one_line(text))


def md_code(text: str) -> str:
    """A code span, or escaped text where a code span cannot hold ``text`` literally."""
    text = one_line(text)
    if "`" in text or not text.strip():
        return md_text(text)
    return "`" + text.replace("|", "\\|") + "`"


def md_kind(kind: Kind) -> str:
    verdict = "**allow**" if kind.decision.allowed else "**deny**"
    if not kind.deciding:
        return f"{verdict} no rule"
    if kind.decision.allowed:
        return f"{verdict} " + " + ".join(md_code(rule.route.text) for rule in kind.deciding)
    return f"{verdict} " + "; ".join(_md_denial(rule) for rule in kind.deciding)


def _md_denial(rule: Rule) -> str:
    """Why a matching rule denies: ``deny rule `* /admin/*` `` or `` `POST /orders` needs write:orders``."""
    if rule.deny:
        named = f" ({md_text(rule.conditions.text)})" if rule.conditions else ""
        return f"deny rule {md_code(rule.route.text)}{named}"
    return f"{md_code(rule.route.text)} needs {md_text(rule.requirement)}"


def md_cell(cell: Cell) -> str:
    if len(cell.kinds) == 1:
        return md_kind(cell.kinds[0])
    return "<br>".join(f"{md_code(kind.request.text)}: {md_kind(kind)}" for kind in cell.kinds)


def _md_subject(subject: Subject) -> list[str]:
    scopes = " ".join(md_code(scope) for scope in sorted(subject.scopes)) or "(none)"
    identity = f" ({md_text(subject.identity)})" if subject.identity else ""
    return [f"**{md_text(subject.name)}**{identity}", scopes]


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_markdown(matrix: AccessMatrix) -> str:
    rules = matrix.ruleset
    clients = f", clients of {md_code(matrix.tables)}" if matrix.tables else ""
    lines = [
        "## Access matrix",
        "",
        f"Rules {md_code(rules.source)} (sha256 {md_code(rules.digest)}), routes of "
        f"{md_code(matrix.template)}{clients}. Each cell is the authorizer's decision "
        "(`RuleSet.decide`) and the rules that made it.",
        "",
        _md_row(["client", "scopes", *(md_code(route.text) for route in matrix.routes)]),
        _md_row(["---"] * (2 + len(matrix.routes))),
    ]
    for subject, row in zip(matrix.subjects, matrix.rows):
        lines.append(_md_row([*_md_subject(subject), *(md_cell(cell) for cell in row)]))
    lines += ["", f"Rules ({md_code(rules.source)}):", "", _md_row(["#", "rule", "requirement", "line"])]
    lines.append(_md_row(["---"] * 4))
    for rule in rules.rules:
        index, name, need, where = rule_line(rule)
        lines.append(_md_row([index, md_text(name), md_text(need), where.removeprefix("line ")]))
    lines += ["", md_text(_public(matrix))]
    return "\n".join(lines) + "\n"
