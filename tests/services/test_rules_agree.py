"""The services' re-checks agree with policies/rules.yaml: statically for every scope set, and by behaviour.

Each service re-checks what its scopes.toml declares, and nothing else. `python -m scopegate_tools
check` compares each declaration with the rules' effective requirement of the route, as what
they mean (any scope set passes both or neither): the first test runs that comparison on the
shipped files, so it fails the moment a service and the rules disagree. The second runs the
services themselves on every request of the decision tables (policies/rules_test.yaml): a
re-checking route refuses with 403 exactly when the rules deny for want of scopes, a gateway-only
route never does. Services re-check scopes only: where the rules deny a caller by its client, org
or issuer (a rule's conditions), the service is expected to let the request through, and only
the gateway refuses it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scopegate_tools.cli.coverage import view_routes
from scopegate_tools.cli.service_declarations import ServiceDeclaration, read_service_declarations
from scopegate_tools.cli.service_requirements import compare_rechecks
from scopegate_tools.cli.sources import read_template
from authorizer.conditions import Conditions
from authorizer.rules import Rule, RuleSet, load_rules
from scopegate_tools.sam_template import RouteSpec, SamApplication, load_template
from tests.support.proxy_events import authorizer_context, proxy_event
from tests.support.services import load_service_app, response_json

REPO = Path(__file__).resolve().parents[2]


@cache
def rules() -> RuleSet:
    return load_rules(REPO / "policies" / "rules.yaml")


@cache
def template() -> SamApplication:
    return load_template(REPO / "template.yaml")


@cache
def declarations() -> tuple[ServiceDeclaration, ...]:
    return read_service_declarations(REPO / "template.yaml")


def test_every_service_declares_every_route_and_each_declaration_means_what_the_rules_require() -> None:
    # GIVEN every function behind the authorizer, and what `check` compares
    served = {(route.function, route.text) for route in template().authorized_routes()}
    report = compare_rechecks(declarations(), view_routes(rules(), read_template(REPO / "template.yaml").routes))

    # THEN each route has a declaration (a service without scopes.toml would not be compared)
    assert {(row.function, row.route) for row in report.rows} == served
    # AND none disagrees with the rules
    assert report.errors == ()
    assert {row.verdict for row in report.rows} <= {"agrees", "gateway only"}


def gateway_only(function: str, route: RouteSpec) -> bool:
    (service,) = [d for d in declarations() if d.function == function]
    return bool(service.routes[route.text].gateway_only)


@cache
def scope_rules() -> RuleSet:
    """The rules as a scope-only re-check sees them: conditions dropped, deny rules with conditions left out."""
    kept = tuple(
        Rule(rule.index, rule.line, rule.id, rule.route, rule.scopes, rule.any_scopes, rule.authenticated, rule.deny,
             rule.description, conditions=Conditions())
        for rule in rules().rules
        if not (rule.deny and rule.conditions)
    )
    return RuleSet(kept, rules().source, rules().digest, rules().known_scopes)


def cases() -> list[tuple[str, frozenset[str], str, bool]]:
    """Every (client, request) of the decision tables, as `python -m scopegate_tools test` runs them, with
    whether its scopes pass the rules: a request the rules deny by who calls passes a scope re-check."""
    from scopegate_tools.cli.coverage import view_routes
    from scopegate_tools.cli.decision_tables import cases_for
    from scopegate_tools.cli.sources import read_clients, read_template

    cli_template = read_template(REPO / "template.yaml")
    clients = read_clients(REPO / "policies" / "rules_test.yaml", cli_template)
    views = view_routes(rules(), cli_template.routes)
    found = []
    for client in clients:
        for case in cases_for(client, views):
            by_scopes = scope_rules().decide(case.request.method, case.request.path, client.caller).allowed
            assert by_scopes or not case.expected_allowed  # conditions only ever take away
            found.append((case.client.name, case.client.scopes, f"{case.request.method} {case.request.path}", by_scopes))
    return found


def deployed_route(request: str) -> RouteSpec | None:
    method, path = request.split(" ", 1)
    for route in template().authorized_routes():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route.path))
        if route.method == method and re.fullmatch(pattern, path):
            return route
    return None


def test_the_table_covers_every_deployed_route() -> None:
    covered = {deployed_route(request).text for _, _, request, _ in cases() if deployed_route(request)}  # type: ignore[union-attr]
    assert covered == {route.text for route in template().authorized_routes()}


def service_for(route: RouteSpec, loaded: dict[str, ModuleType]) -> ModuleType:
    code_uri = template().functions[route.function].code_uri
    name = Path(code_uri).name
    if name not in loaded:
        loaded[name] = load_service_app(name)
    return loaded[name]


def test_service_rechecks_refuse_exactly_what_the_rules_deny(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_TABLE_NAME", "OrdersTable")
    loaded: dict[str, ModuleType] = {}
    disagreements = []
    checked = 0
    for client, scopes, request, allowed in cases():
        route = deployed_route(request)
        if route is None:
            continue  # not deployed: API Gateway answers before any service
        method, path = request.split(" ", 1)
        context = {**authorizer_context("reader"), "principalId": f"{client}@clients", "client_id": client,
                   "scope": " ".join(sorted(scopes))}
        body = "{}" if method == "POST" else None
        response = service_for(route, loaded).lambda_handler(proxy_event(method, path, authorizer=context, body=body), None)
        refused = response["statusCode"] == 403 and response_json(response)["error"] == "insufficient_scope"
        checked += 1
        if gateway_only(route.function, route):
            if refused:
                disagreements.append((client, request, response["statusCode"], "gateway-only service refused"))
            continue
        if refused == allowed:
            disagreements.append((client, request, response["statusCode"], "rules allow" if allowed else "rules deny"))
    assert disagreements == []
    assert checked == len(cases())  # every request of the table is on a deployed route
