"""scopegate_tools.cli.coverage: the effective requirement is the conjunction of Rule.requirement."""

from __future__ import annotations

from scopegate_tools.cli.coverage import requirement_of
from authorizer.rules import compile_rules

RULES = compile_rules(
    """\
version: 1
rules:
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders]
  - route: GET /orders/{id}/notes
    scopes: [notes]
    any_scopes: [support, admin]
  - route: "* /health"
    authenticated: true
  - route: "* /admin/*"
    deny: true
""",
    "rules.yaml",
)
BROAD, REFUND, NOTES, HEALTH, ADMIN = RULES.rules


def test_one_rule_gives_its_own_requirement() -> None:
    assert requirement_of([BROAD]) == "admin OR read:orders"


def test_alternatives_are_bracketed_when_joined() -> None:
    assert requirement_of([BROAD, REFUND]) == "(admin OR read:orders) AND refund:orders"
    assert requirement_of([BROAD, NOTES]) == "(admin OR read:orders) AND notes AND (admin OR support)"


def test_any_valid_token_adds_nothing_and_deny_wins() -> None:
    assert requirement_of([HEALTH]) == "any valid token"
    assert requirement_of([HEALTH, REFUND]) == "refund:orders"
    assert requirement_of([BROAD, ADMIN]) == "DENY"
    assert requirement_of([]) == "DENY (no rule matches)"
