"""atheris fuzz target: the rules loader on arbitrary text (platform teams edit rules.yaml).

Run: ``.venv/bin/python -m tests.fuzz.rules_target -runs=200000``

Invariant: ``compile_rules`` either returns a RuleSet or raises RulesError;
any other exception (RecursionError, TypeError, ...) is a finding.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["authorizer", "yaml"]):
    from authorizer.errors import RulesError
    from authorizer.rules import compile_rules

SEED_TEXT = """\
version: 1
rules:
  - route: GET /orders/{id}
    scopes: [read:orders]
    any_scopes: [admin, support]
  - route: "* /admin/*"
    deny: true
  - route: "* /health"
    authenticated: true
"""


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeBool():  # a mutation of a valid file reaches the compiler, not just the YAML parser
        text = SEED_TEXT
        for _ in range(fdp.ConsumeIntInRange(0, 4)):
            at = fdp.ConsumeIntInRange(0, len(text))
            text = text[:at] + fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 12)) + text[at + fdp.ConsumeIntInRange(0, 8):]
    else:
        text = fdp.ConsumeUnicode(fdp.remaining_bytes())
    try:
        compile_rules(text, "rules.yaml")
    except RulesError:
        pass


def main(argv: list[str]) -> None:
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
