"""authorizer.rules: the rules format, its semantics, and load errors that name file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from authorizer.caller import Caller
from authorizer.conditions import Conditions
from authorizer.errors import RulesError
from authorizer.route import parse_route
from authorizer.rules import Rule, RuleSet, compile_rules, load_rules

EXAMPLE = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: GET /orders/*
    any_scopes: [read:orders, admin]
  - route: POST /orders
    scopes: [write:orders]
  - route: "* /health"
    authenticated: true
  - route: "* /admin/*"
    deny: true
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders]
"""


def rules():
    return compile_rules(EXAMPLE, "rules.yaml")


def decide(method: str, path: str, *scopes: str):
    return rules().decide(method, path, Caller.holding(frozenset(scopes)))


def test_all_of_scopes_allow_only_with_every_scope() -> None:
    assert decide("GET", "/hello", "read:hello").allowed
    assert not decide("GET", "/hello", "read:orders").allowed


def test_any_scopes_allow_with_one_of_them() -> None:
    assert decide("GET", "/orders/1", "admin").allowed
    assert decide("GET", "/orders/1", "read:orders").allowed
    assert not decide("GET", "/orders/1", "write:orders").allowed


def test_star_crosses_slashes_but_needs_the_slash() -> None:
    assert decide("GET", "/orders/1/items", "read:orders").allowed
    assert decide("GET", "/orders", "read:orders").reason == "no_matching_rule"


def test_star_method_matches_every_verb_but_no_other_path() -> None:
    assert decide("DELETE", "/health").allowed
    assert decide("OPTIONS", "/health").allowed
    assert not decide("GET", "/x/health").allowed


def test_deny_rule_wins_over_every_scope() -> None:
    decision = decide("GET", "/admin/users", "admin", "read:orders")
    assert (decision.allowed, decision.reason, decision.matched_ids) == (False, "denied_by_rule", ("* /admin/*",))


def test_nested_rule_adds_requirements_to_the_broader_one() -> None:
    broad = compile_rules(EXAMPLE.replace("GET /orders/*", "'* /orders/*'"), "rules.yaml")
    refund = broad.decide("POST", "/orders/42/refunds", Caller.holding(frozenset({"read:orders"})))
    assert (refund.allowed, refund.reason, refund.missing_scopes) == (False, "insufficient_scope", ("refund:orders",))
    ok = broad.decide("POST", "/orders/42/refunds", Caller.holding(frozenset({"read:orders", "refund:orders"})))
    assert ok.allowed and ok.matched_ids == ("* /orders/*", "POST /orders/{id}/refunds")
    only_refund = broad.decide("POST", "/orders/42/refunds", Caller.holding(frozenset({"refund:orders"})))
    assert (only_refund.allowed, only_refund.missing_scopes) == (False, ("admin", "read:orders"))


def test_unmatched_route_is_denied() -> None:
    assert decide("PUT", "/nowhere", "admin").reason == "no_matching_rule"


def test_rule_order_does_not_matter() -> None:
    lines = EXAMPLE.splitlines()
    header, body = lines[:2], lines[2:]
    blocks = ["\n".join(body[i : i + 2]) for i in range(0, len(body), 2)]
    reversed_rules = compile_rules("\n".join(header + blocks[::-1]) + "\n", "r.yaml")
    for method, path in [("GET", "/hello"), ("GET", "/orders/1"), ("GET", "/admin/x"), ("POST", "/orders/1/refunds")]:
        for scopes in [set(), {"read:hello"}, {"admin"}, {"refund:orders", "read:orders"}]:
            assert reversed_rules.decide(method, path, Caller.holding(frozenset(scopes))).allowed == decide(method, path, *scopes).allowed


def test_question_mark_matches_exactly_one_character() -> None:
    rs = compile_rules("version: 1\nrules:\n  - route: GET /v?/x\n    authenticated: true\n", "r.yaml")
    assert rs.decide("GET", "/v1/x", Caller.holding(())).allowed
    assert not rs.decide("GET", "/v10/x", Caller.holding(())).allowed


def test_requirement_reads_as_words() -> None:
    rs = compile_rules(
        "version: 1\nrules:\n  - route: GET /a\n    scopes: [x, y]\n    any_scopes: [p, q]\n", "r.yaml"
    )
    assert rs.rules[0].requirement == "x AND y AND (p OR q)"


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("version: 2\nrules: []\n", 1, "'version' must be 1"),
        ("version: 1\nrules: []\n", 2, "non-empty list"),
        ("version: 1\nrulez: []\n", 2, "did you mean 'rules'"),
        ("version: 1\nrules:\n  - route: GET /a\n    scope: [x]\n", 4, "did you mean 'scopes'"),
        ("version: 1\nrules:\n  - route: GET /a\n", 3, "states no requirement"),
        ("version: 1\nrules:\n  - route: GET /a\n    scopes: []\n", 4, "non-empty list"),
        ("version: 1\nrules:\n  - route: GET /a\n    scopes: read\n", 4, "must be a list"),
        ("version: 1\nrules:\n  - route: GET /a\n    scopes: [1]\n", 4, "not a scope name"),
        ("version: 1\nrules:\n  - route: GET /a\n    authenticated: false\n", 4, "can only be true"),
        ("version: 1\nrules:\n  - route: GET /a\n    deny: true\n    scopes: [x]\n", 3, "combines"),
        ("version: 1\nrules:\n  - route: FETCH /a\n    deny: true\n", 3, "is not one of"),
        ("version: 1\nrules:\n  - route: ANY /a\n    deny: true\n", 3, "use * for every method"),
        ("version: 1\nrules:\n  - route: get /a\n    deny: true\n", 3, "use upper case"),
        ("version: 1\nrules:\n  - route: GET a\n    deny: true\n", 3, "must start with '/'"),
        ("version: 1\nrules:\n  - route: GET /a/${x}\n    deny: true\n", 3, "not allowed"),
        ("version: 1\nrules:\n  - route: GET /a/{id\n    deny: true\n", 3, "braces"),
        ("version: 1\nrules:\n  - route: GET /a\n    deny: true\n  - route: GET /a\n    deny: true\n", 5, "repeats the route of rule 1"),
        ("version: 1\nrules:\n  - route: GET /a/{id}\n    deny: true\n  - route: GET /a/*\n    deny: true\n", 5, "repeats"),
        ("version: 1\nrules:\n  - route: GET /a\n    deny: true\n    deny: true\n", 5, "appears twice"),
        ("version: 1\nrules:\n  - route: GET /a\n    scopes: [x\n", 5, "invalid YAML"),
        ("version: 1\nrules:\n  - &r {route: GET /a, deny: true}\n  - *r\n", 3, "anchors and aliases"),
        ("- just a list\n", None, "must be a mapping"),
    ],
)
def test_bad_rules_fail_naming_file_line_and_fix(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(RulesError) as raised:
        compile_rules(text, "policies/rules.yaml")
    message = str(raised.value)
    expected_prefix = f"policies/rules.yaml:{line}: " if line else "policies/rules.yaml: "
    assert message.startswith(expected_prefix), message
    assert fragment in message


def test_yaml_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    with pytest.raises(RulesError, match="anchors and aliases"):
        compile_rules(bomb, "bomb.yaml")


def test_load_rules_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="rules file not found; set RULES_FILE"):
        load_rules(tmp_path / "absent.yaml")


def test_packaged_rules_file_loads() -> None:
    packaged = Path(__file__).resolve().parents[2] / "policies" / "rules.yaml"
    assert load_rules(packaged).rules


def test_text_with_an_unpaired_surrogate_is_a_rules_error_not_a_crash() -> None:
    # found by the rules fuzz target: libyaml's parser raised UnicodeEncodeError on it
    with pytest.raises(RulesError, match=r"^r\.yaml:1: the text is not valid Unicode"):
        compile_rules("\x00\x02{\ud97b", "r.yaml")


def test_star_method_means_the_seven_verbs_and_no_other_string() -> None:
    # the policy expands "*" to the seven verbs; the rules' own decision must agree
    assert decide("PATCH", "/health").allowed
    assert decide("ANY", "/health").reason == "no_matching_rule"
    assert decide("PROPFIND", "/health").reason == "no_matching_rule"


def test_an_unquoted_star_route_names_file_line_and_the_quoted_route() -> None:
    # GIVEN the route of issue 14 written without quotes
    text = "version: 1\nrules:\n  - route: GET /hello\n    scopes: [a]\n  - route: * /reports/{id}\n    scopes: [b]\n"
    # WHEN the rules compile
    with pytest.raises(RulesError) as raised:
        compile_rules(text, "policies/rules.yaml")
    # THEN the message keeps file:line and says how to write it
    assert str(raised.value) == (
        "policies/rules.yaml:5: invalid YAML: expected alphabetic or numeric character, but found ' '; "
        "a route that starts with '*' must be quoted (YAML reads '*' as an alias): route: \"* /reports/{id}\""
    )


def test_two_rules_are_equal_exactly_when_every_field_is() -> None:
    # GIVEN a rule, and for each of its fields a copy that differs in that field only
    rule = rules().rules[1]
    same = Rule(rule.index, rule.line, rule.id, rule.route, rule.scopes, rule.any_scopes, rule.authenticated,
                rule.deny, rule.description, rule.conditions)
    changes = {
        "index": 9, "line": 99, "id": "other", "route": parse_route("GET /orders/{id}"),
        "scopes": frozenset({"x"}), "any_scopes": frozenset({"x"}), "authenticated": True, "deny": True,
        "description": "other", "conditions": Conditions(clients=frozenset({"c"})),
    }
    fields = {name: getattr(rule, name) for name in changes}
    # THEN an identical copy is equal and hashes alike, and each changed copy is not equal
    assert (same == rule, hash(same) == hash(rule)) == (True, True)
    assert [name for name, value in changes.items() if Rule(**{**fields, name: value}) == rule] == []


def test_two_rule_sets_are_equal_when_rules_source_digest_and_known_scopes_are() -> None:
    # GIVEN the same text compiled twice, and the same rules under another name or digest
    first, again = rules(), rules()
    renamed = RuleSet(first.rules, "other.yaml", first.digest, first.known_scopes)
    redigested = RuleSet(first.rules, first.source, "0" * 12, first.known_scopes)
    shorter = RuleSet(first.rules[:-1], first.source, first.digest, first.known_scopes)
    # THEN the two compilations are equal (their indexes are built anew, not compared) and hash alike
    assert (first == again, hash(first) == hash(again), first.index is again.index) == (True, True, False)
    assert (renamed == first, redigested == first, shorter == first) == (False, False, False)
