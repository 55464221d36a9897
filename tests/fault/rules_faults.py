"""Rules files a platform team could break: each must be refused at load with a clear message.

Shared by tests/fault/test_rules_faults.py (asserts the message) and
bench/security_report.py (measures the time and memory each refusal costs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

VALID = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
"""


def _bomb(levels: int = 9) -> str:
    """Billion laughs: 10 aliases per level, 10**9 nodes once expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "version: 1\n" + "\n".join(lines) + "\nrules: *a9\n"


def _rules(count: int) -> str:
    body = "".join(f"  - route: GET /r{i}\n    scopes: [read:r]\n" for i in range(count))
    return "version: 1\nrules:\n" + body


@dataclass(frozen=True)
class RulesFault:
    name: str
    text: Callable[[], str | bytes]
    message: str  # the whole RulesError message, the file named 'rules.yaml'


RULES_FAULTS: tuple[RulesFault, ...] = (
    RulesFault("truncated YAML (cut inside a flow list)", lambda: VALID[: VALID.index("admin")],
               "rules.yaml:6: invalid YAML: expected the node content, but found '<stream end>'"),
    RulesFault("truncated YAML (cut inside a quoted route)", lambda: VALID[: VALID.index("/orders")],
               "rules.yaml:5: invalid YAML: found unexpected end of stream"),
    RulesFault("YAML bomb: billion laughs (10**9 nodes once expanded)", _bomb,
               "rules.yaml:2: anchors and aliases (&name, *name) are not allowed; write the values out"),
    RulesFault("YAML bomb: one anchor, 100,000 aliases",
               lambda: "version: 1\nx: &x [a]\nrules: [" + ", ".join(["*x"] * 100_000) + "]\n",
               "rules.yaml:2: anchors and aliases (&name, *name) are not allowed; write the values out"),
    RulesFault("deep nesting: 100,000 nested lists",
               lambda: "version: 1\nrules: " + "[" * 100_000 + "]" * 100_000 + "\n",
               "rules.yaml:2: values are nested more than 64 levels deep"),
    RulesFault("huge file: 2 MiB", lambda: VALID + "# " + "x" * (2 << 20) + "\n",
               "rules.yaml: file is larger than 1 MiB; split or simplify the rules"),
    RulesFault("node flood under 1 MiB: 400,000 list items",
               lambda: "version: 1\nrules: [" + "1," * 400_000 + "1]\n",
               "rules.yaml:2: more than 50000 YAML nodes"),
    RulesFault("non-string scope: a number", lambda: VALID.replace("[read:hello]", "[1]"),
               "rules.yaml:4: rule 1 (GET /hello): 'scopes' holds 1, which is not a scope name "
               "(a string without spaces or quotes; quote it if YAML reads it as a number)"),
    RulesFault("non-string scope: null", lambda: VALID.replace("[read:hello]", "[null]"),
               "rules.yaml:4: rule 1 (GET /hello): 'scopes' holds None, which is not a scope name "
               "(a string without spaces or quotes; quote it if YAML reads it as a number)"),
    RulesFault("non-string scope: a boolean", lambda: VALID.replace("[read:orders, admin]", "[yes, admin]"),
               "rules.yaml:6: rule 2 (* /orders/*): 'any_scopes' holds True, which is not a scope name "
               "(a string without spaces or quotes; quote it if YAML reads it as a number)"),
    RulesFault("non-string scope: a mapping", lambda: VALID.replace("[read:hello]", "[{read: hello}]"),
               "rules.yaml:4: rule 1 (GET /hello): 'scopes' holds {'read': 'hello'}, which is not a scope "
               "name (a string without spaces or quotes; quote it if YAML reads it as a number)"),
    RulesFault("scopes as a string", lambda: VALID.replace("[read:hello]", "read:hello"),
               "rules.yaml:4: rule 1 (GET /hello): 'scopes' must be a list, e.g. scopes: [read:hello]"),
    RulesFault("duplicate key in a rule", lambda: VALID.replace("    scopes: [read:hello]\n",
                                                               "    scopes: [read:hello]\n    scopes: [admin]\n"),
               "rules.yaml:5: key 'scopes' appears twice in one mapping (first on line 4); keep one"),
    RulesFault("duplicate top-level key", lambda: VALID + "version: 1\n",
               "rules.yaml:7: key 'version' appears twice in one mapping (first on line 1); keep one"),
    RulesFault("two YAML documents", lambda: VALID + "---\n" + VALID,
               "rules.yaml:7: invalid YAML: but found another document"),
    RulesFault("not UTF-8", lambda: VALID.encode() + b"# \xff\xfe\n",
               "rules.yaml: cannot read the rules file (UnicodeDecodeError)"),
    RulesFault("control character (NUL) in a key", lambda: VALID.replace("rules:", "ru\x00les:"),
               "rules.yaml:2: invalid YAML: character U+0000 is not allowed "
               "(control and non-printable characters are not)"),
    RulesFault("empty file", lambda: "",
               "rules.yaml: must be a mapping with 'version: 1' and 'rules:'"),
    RulesFault("10,000 rules (70,000 nodes)", lambda: _rules(10_000),
               "rules.yaml:16668: more than 50000 YAML nodes"),
    RulesFault("2,000 rules repeating one route",
               lambda: _rules(1000) + _rules(1000).partition("rules:\n")[2],
               "rules.yaml:2003: rule 1001 (GET /r0) repeats the route of rule 1 (line 3); merge them into one rule"),
)
