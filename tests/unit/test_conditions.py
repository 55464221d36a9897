"""authorizer.conditions and the rules that carry them: clients, orgs and issuers ANDed with scopes."""

from __future__ import annotations

import pytest

from authorizer.caller import Caller
from authorizer.errors import Reason, RulesError
from authorizer.rules import RuleSet, compile_rules

BILLING = "billing-job"
ISS_A, ISS_B = "https://tenant-a.example/", "https://tenant-b.example/"
RULES = f"""\
version: 1
rules:
  - route: "* /orders/*"
    any_scopes: [read:orders, admin]
  - route: POST /orders/{{id}}/refunds
    scopes: [refund:orders]
    clients: [{BILLING}]
  - route: GET /reports/*
    scopes: [read:reports]
    orgs: [org_acme, org_globex]
  - route: "* /admin/*"
    authenticated: true
    issuers: ["{ISS_A}"]
  - id: no-partner-deletes
    route: DELETE /orders/*
    deny: true
    clients: [partner]
  - route: GET /public/*
    clients: [{BILLING}, partner]
  - id: partner-of-acme-never-exports
    route: GET /exports/*
    deny: true
    clients: [partner]
    orgs: [org_acme]
  - route: GET /exports/*
    authenticated: true
"""


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return compile_rules(RULES, "rules.yaml")


def caller(*scopes: str, client: str = "someone", org: str | None = None, issuer: str = ISS_A) -> Caller:
    return Caller(frozenset(scopes), client, org, issuer)


def test_a_client_restricted_rule_allows_its_client_with_the_scopes(rules: RuleSet) -> None:
    decision = rules.decide("POST", "/orders/7/refunds", caller("read:orders", "refund:orders", client=BILLING))
    assert (decision.allowed, decision.reason) == (True, Reason.ALLOWED)


def test_a_client_restricted_rule_denies_other_clients_even_where_a_broader_rule_allows_them(rules: RuleSet) -> None:
    # GIVEN another client holding every scope: "* /orders/*" alone would allow it
    decision = rules.decide("POST", "/orders/7/refunds", caller("admin", "read:orders", "refund:orders"))
    # THEN the client-restricted rule refuses it: conditions are requirements, not matching criteria
    assert (decision.allowed, decision.reason, decision.unmet_conditions) == (False, Reason.CALLER_NOT_ALLOWED, ("clients",))
    assert [rule.index for rule in decision.failed] == [2]


def test_the_right_client_without_the_scope_lacks_the_scope(rules: RuleSet) -> None:
    decision = rules.decide("POST", "/orders/7/refunds", caller("read:orders", client=BILLING))
    assert (decision.allowed, decision.reason, decision.missing_scopes) == (
        False, Reason.INSUFFICIENT_SCOPE, ("refund:orders",),
    )


@pytest.mark.parametrize("org, allowed", [("org_acme", True), ("org_globex", True), ("org_other", False), (None, False)])
def test_an_org_condition_needs_the_tokens_org_id_among_the_listed(rules: RuleSet, org: str | None, allowed: bool) -> None:
    decision = rules.decide("GET", "/reports/q3", caller("read:reports", org=org))
    assert decision.allowed is allowed
    assert decision.reason is (Reason.ALLOWED if allowed else Reason.CALLER_NOT_ALLOWED)


@pytest.mark.parametrize("issuer, allowed", [(ISS_A, True), (ISS_B, False)])
def test_an_issuer_condition_needs_the_tokens_iss_among_the_listed(rules: RuleSet, issuer: str, allowed: bool) -> None:
    assert rules.decide("GET", "/admin/users", caller(issuer=issuer)).allowed is allowed


def test_a_deny_rule_with_a_client_denies_that_client_only(rules: RuleSet) -> None:
    partner = rules.decide("DELETE", "/orders/7", caller("admin", client="partner"))
    other = rules.decide("DELETE", "/orders/7", caller("admin", client="other"))
    assert (partner.allowed, partner.reason, [r.id for r in partner.failed]) == (
        False, Reason.DENIED_BY_RULE, ["no-partner-deletes"],
    )
    assert (other.allowed, other.reason) == (True, Reason.ALLOWED)


def test_a_deny_rule_names_only_callers_that_meet_all_its_conditions(rules: RuleSet) -> None:
    # "partner of org_acme" is denied; the partner elsewhere, and others of org_acme, are not
    assert rules.decide("GET", "/exports/1", caller(client="partner", org="org_acme")).reason is Reason.DENIED_BY_RULE
    assert rules.decide("GET", "/exports/1", caller(client="partner", org="org_globex")).allowed is True
    assert rules.decide("GET", "/exports/1", caller(client="other", org="org_acme")).allowed is True


def test_a_deny_rule_that_spares_a_caller_never_grants_by_itself() -> None:
    # GIVEN a path that only a deny rule with conditions matches
    rules = compile_rules("version: 1\nrules:\n  - route: GET /x\n    deny: true\n    clients: [bad]\n", "r.yaml")
    decision = rules.decide("GET", "/x", caller(client="good"))
    # THEN nothing grants it: denied, for the spared caller too
    assert (decision.allowed, decision.reason, decision.failed) == (False, Reason.NO_MATCHING_RULE, ())
    assert rules.partition(caller(client="good")) == ((), ())


def test_conditions_alone_are_a_requirement_any_valid_token_of_those_clients(rules: RuleSet) -> None:
    assert rules.decide("GET", "/public/a", caller(client=BILLING)).allowed is True
    assert rules.decide("GET", "/public/a", caller(client="other")).reason is Reason.CALLER_NOT_ALLOWED


def test_requirements_say_the_conditions_in_words(rules: RuleSet) -> None:
    assert [rule.requirement for rule in rules.rules] == [
        "admin OR read:orders",
        "refund:orders AND client billing-job",
        "read:reports AND org in [org_acme, org_globex]",
        f"issuer {ISS_A}",
        "DENY client partner",
        "client in [billing-job, partner]",
        "DENY client partner AND org org_acme",
        "any valid token",
    ]


def test_the_relevant_caller_keeps_only_values_some_rule_names(rules: RuleSet) -> None:
    # GIVEN a caller whose client, org and issuer some rule names, and one whose no rule names
    named = rules.relevant(caller("read:orders", "unknown:scope", client=BILLING, org="org_acme", issuer=ISS_A))
    unnamed = rules.relevant(caller("read:orders", client="nobody", org="org_nobody", issuer=ISS_B))
    assert named == Caller(frozenset({"read:orders"}), BILLING, "org_acme", ISS_A)
    assert unnamed == Caller(frozenset({"read:orders"}), None, None, None)


def test_rules_without_conditions_key_the_memo_on_scopes_alone() -> None:
    rules = compile_rules("version: 1\nrules:\n  - route: GET /x\n    scopes: [a]\n", "r.yaml")
    assert rules.relevant(caller("a", "b", client=BILLING, org="org_acme")) == Caller(frozenset({"a"}))


@pytest.mark.parametrize(
    "rule, message",
    [
        ("    scopes: [a]\n    clients: billing-job\n",
         "r.yaml:5: rule 1 (GET /x): 'clients' must be a list, e.g. clients: [billing-job]"),
        ("    scopes: [a]\n    orgs: []\n", "r.yaml:5: rule 1 (GET /x): 'orgs' must be a non-empty list of org values"),
        ("    scopes: [a]\n    clients: [12345]\n",
         "r.yaml:5: rule 1 (GET /x): 'clients' holds 12345, which is not a client value (1-256 printable "
         "characters without spaces; quote it if YAML reads it as a number)"),
        ("    scopes: [a]\n    clients: [a b]\n",
         "r.yaml:5: rule 1 (GET /x): 'clients' holds 'a b', which is not a client value (1-256 printable "
         "characters without spaces; quote it if YAML reads it as a number)"),
        ("    scopes: [a]\n    issuers: [x, x]\n", "r.yaml:5: rule 1 (GET /x): 'issuers' lists an issuer twice; list it once"),
        ("    scopes: [a]\n    client: [x]\n", "r.yaml:5: rule 1 (GET /x): unknown key 'client'; did you mean 'clients'?"),
    ],
)
def test_a_bad_condition_is_refused_with_its_line(rule: str, message: str) -> None:
    with pytest.raises(RulesError) as raised:
        compile_rules("version: 1\nrules:\n  - route: GET /x\n" + rule, "r.yaml")
    assert str(raised.value) == message


def test_a_route_repeats_only_as_deny_rules_with_conditions() -> None:
    base = "version: 1\nrules:\n  - route: GET /x\n    scopes: [a]\n"
    # two plain rules: merge them
    with pytest.raises(RulesError) as raised:
        compile_rules(base + "  - id: two\n    route: GET /x\n    scopes: [b]\n    clients: [c]\n", "r.yaml")
    assert str(raised.value) == "r.yaml:5: rule 2 (GET /x) repeats the route of rule 1 (line 3); merge them into one rule"
    # a deny rule with conditions beside it: fine, with an id of its own
    compile_rules(base + "  - id: not-c\n    route: GET /x\n    deny: true\n    clients: [c]\n", "r.yaml")
    with pytest.raises(RulesError) as raised:
        compile_rules(base + "  - route: GET /x\n    deny: true\n    clients: [c]\n", "r.yaml")
    assert str(raised.value) == (
        "r.yaml:5: rule 2: id 'GET /x' is already used by rule 1; give this rule an 'id' of its own"
    )
    # the same conditions twice: merge them
    twice = base + "".join(f"  - id: not-c{n}\n    route: GET /x\n    deny: true\n    clients: [c]\n" for n in (1, 2))
    with pytest.raises(RulesError) as raised:
        compile_rules(twice, "r.yaml")
    assert "repeats the route of rule 2 (line 5) and its conditions" in str(raised.value)
