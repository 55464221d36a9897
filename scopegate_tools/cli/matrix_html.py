"""The access matrix as one self-contained HTML page (pure).

Clients in rows, routes in columns. Inline CSS only: no script, no font, no
image, nothing fetched (the page's Content-Security-Policy forbids all of it).
Every text that comes from a file (client names, scopes, rule ids, routes,
descriptions) goes through :func:`html.escape`. The same inputs give the same
bytes: no date, no absolute path.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from scopegate_tools.cli.matrix import AccessMatrix, Cell, Kind, Subject, Verdict
from scopegate_tools.cli.matrix_text import one_line, rule_line, scope_list
from scopegate_tools.cli.output import plural
from scopegate_tools.cli.why import why

CSP = "default-src 'none'; style-src 'unsafe-inline'"

STYLE = """\
body{margin:24px;color:#1f2328;background:#fff;font:14px/1.45 "Liberation Sans",Arial,sans-serif}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
p{margin:0 0 12px;max-width:72em}.meta{color:#59636e}
code,.mono,thead th,.rule,.scopes,.req{font-family:"Liberation Mono",Consolas,monospace}
.scroll{overflow-x:auto;border:1px solid #d1d9e0;border-radius:6px;max-width:max-content}
table{border-collapse:separate;border-spacing:0}
th,td{padding:6px 10px;text-align:left;vertical-align:top;border-right:1px solid #d1d9e0;border-bottom:1px solid #d1d9e0}
thead th{position:sticky;top:0;z-index:1;background:#f6f8fa;white-space:nowrap;font-size:13px}
th[scope=row]{position:sticky;left:0;background:#f6f8fa;min-width:11em;max-width:18em}
thead th:first-child{left:0;z-index:2}
.name{display:block;font-weight:700;overflow-wrap:anywhere}
.scopes,.caller,.desc{display:block;font-size:12px;font-weight:400;color:#59636e;overflow-wrap:anywhere}
td{min-width:9em;max-width:16em}
td.allowed{background:#dafbe1}td.denied{background:#ffebe9}td.partly{background:#fff8c5}
.verdict{display:block;font-weight:700;font-size:15px}
td.allowed .verdict{color:#116329}td.denied .verdict{color:#a40e26}td.partly .verdict{color:#7d4e00}
.kind{margin-top:2px}.kind+.kind{border-top:1px dotted #8c959f;margin-top:4px;padding-top:4px}
.req{display:block;font-size:12px;font-weight:700}
.rule{display:block;font-size:12px;overflow-wrap:anywhere}
.needs{display:block;font-size:12px;color:#59636e}
td.flipped{outline:3px solid #8250df;outline-offset:-3px}
.was{display:block;font-size:12px;font-weight:700;color:#8250df}
table.rules td{min-width:0;max-width:none;background:#fff}
.scroll+p{margin-top:12px}
"""

VERDICT_WORD = {Verdict.ALLOWED: "allow", Verdict.DENIED: "deny", Verdict.PARTLY: "partly allowed"}
VERDICT_CLASS = {Verdict.ALLOWED: "allowed", Verdict.DENIED: "denied", Verdict.PARTLY: "partly"}


def _e(text: str) -> str:
    return escape(one_line(text), quote=True)


def _kind(kind: Kind, show_request: bool, show_verdict: bool) -> str:
    parts = []
    if show_request:
        parts.append(f'<span class="req">{_e(kind.request.text)}</span>')
    if show_verdict:
        parts.append(f'<span class="req">{"allow" if kind.decision.allowed else "deny"}</span>')
    for rule in kind.deciding:
        if rule.deny:
            parts.append(f'<span class="rule">deny rule {_e(rule.route.text)}</span>')
            if rule.conditions:
                parts.append(f'<span class="needs">for {_e(rule.conditions.text)}</span>')
            continue
        parts.append(f'<span class="rule">{_e(rule.route.text)}</span>')
        if not kind.decision.allowed:
            parts.append(f'<span class="needs">needs {_e(rule.requirement)}</span>')
    if not kind.deciding:
        parts.append('<span class="rule">no rule</span>')
    return f'<div class="kind">{"".join(parts)}</div>'


def _cell(cell: Cell, was: str | None) -> str:
    """One cell; ``was``, the decision before a change (a :class:`Verdict` value), outlines it."""
    verdict = cell.verdict
    classes = VERDICT_CLASS[verdict] + (" flipped" if was is not None else "")
    several = len(cell.kinds) > 1
    titles = "\n".join(
        (f"{kind.request.text}: " if several else "") + why(kind.decision) for kind in cell.kinds
    )
    body = [f'<span class="verdict">{VERDICT_WORD[verdict]}</span>']
    if was is not None:
        body.append(f'<span class="was">was: {VERDICT_WORD[Verdict(was)]}</span>')
    body += [_kind(kind, several, verdict is Verdict.PARTLY) for kind in cell.kinds]
    return (
        f'<td class="{classes}" data-subject="{_e(cell.subject.name)}" data-route="{_e(cell.route.text)}" '
        f'data-decision="{verdict.value}" title="{escape(titles, quote=True)}">{"".join(body)}</td>'
    )


def _subject(subject: Subject) -> str:
    parts = [
        f'<span class="name">{_e(subject.name)}</span>',
        f'<span class="scopes">{_e(scope_list(subject.scopes))}</span>',
    ]
    if subject.identity:
        parts.append(f'<span class="caller">{_e(subject.identity)}</span>')
    if subject.description:
        parts.append(f'<span class="desc">{_e(subject.description)}</span>')
    return f'<th scope="row" title="{_e(subject.origin)}">{"".join(parts)}</th>'


def _matrix_table(matrix: AccessMatrix, flipped: Mapping[tuple[str, str], str]) -> list[str]:
    lines = ['<div class="scroll"><table class="matrix">', "<thead><tr><th>client / scopes</th>"]
    lines += [f'<th scope="col">{_e(route.text)}</th>' for route in matrix.routes]
    lines.append("</tr></thead><tbody>")
    for subject, row in zip(matrix.subjects, matrix.rows):
        cells = "".join(_cell(cell, flipped.get((subject.name, cell.route.text))) for cell in row)
        lines.append(f"<tr>{_subject(subject)}{cells}</tr>")
    lines.append("</tbody></table></div>")
    return lines


def _rules_table(matrix: AccessMatrix) -> list[str]:
    lines = [
        f"<h2>Rules of {_e(matrix.ruleset.source)}</h2>",
        '<div class="scroll"><table class="rules"><thead><tr><th>#</th><th>rule</th>'
        "<th>requirement</th><th>line</th></tr></thead><tbody>",
    ]
    for rule in matrix.ruleset.rules:
        cells = "".join(f"<td>{_e(text)}</td>" for text in rule_line(rule))
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody></table></div>")
    return lines


def _page(title: str, intro: list[str], matrix: AccessMatrix, flipped: Mapping[tuple[str, str], str]) -> str:
    public = ", ".join(route.text for route in matrix.public) or "none"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{STYLE}</style>",
        "</head><body>",
        f"<h1>{_e(title)}</h1>",
        *intro,
        *_matrix_table(matrix, flipped),
        '<p class="meta">Each cell is the authorizer\'s own decision (<code>RuleSet.decide</code>) on the '
        "route's requests, with the rules that made it: when allowed, every rule that matches (each is "
        "satisfied); when denied, the matching rules the scopes do not satisfy, with what each needs. "
        "A route whose requests are decided differently lists each kind of request. Hover a cell for the "
        "full reason; <code>python -m scopegate_tools explain</code> gives the same.</p>",
        *_rules_table(matrix),
        f"<p>Public routes (Authorizer: NONE; anyone may call them, the rules are not consulted): "
        f"{_e(public)}</p>",
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"


def _sources(matrix: AccessMatrix) -> str:
    clients = f", clients of <code>{_e(matrix.tables)}</code>" if matrix.tables else ""
    return (
        f"rules <code>{_e(matrix.ruleset.source)}</code> (sha256 <code>{_e(matrix.ruleset.digest)}</code>), "
        f"routes of <code>{_e(matrix.template)}</code>{clients}"
    )


def render_html(matrix: AccessMatrix) -> str:
    """Who may call what: the page ``matrix --html FILE`` writes."""
    intro = [
        f'<p class="meta">Who may call which route the authorizer guards: {_sources(matrix)}. '
        "Written by <code>python -m scopegate_tools matrix --html FILE</code>.</p>"
    ]
    return _page("Access matrix", intro, matrix, {})


def render_diff_html(matrix: AccessMatrix, old_source: str, flipped: Mapping[tuple[str, str], str]) -> str:
    """The new rules' matrix; each (subject name, route text) in ``flipped`` outlined, with its old decision."""
    count = plural(len(flipped), "cell")
    intro = [
        f'<p class="meta">Decisions that change from <code>{_e(old_source)}</code> to the {_sources(matrix)}. '
        "Written by <code>python -m scopegate_tools diff --html FILE</code>.</p>",
        f'<p class="summary"><strong>{count} change{"s" if len(flipped) == 1 else ""}</strong>'
        f'{" (outlined, with the decision before)" if flipped else ""}.</p>',
    ]
    return _page("Access matrix: changes", intro, matrix, flipped)
