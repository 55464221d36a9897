"""policies/rules_test.yaml: the rules' decision table, and the services' re-checks agree with it.

The gateway enforces policies/rules.yaml; the orders service re-checks its routes'
scopes (defence in depth). For every example client and every request of the
table on a route of a re-checking service, the service refuses with 403 exactly
when the rules deny: never stricter (no false 403s), never looser. The hello
service leaves scopes to the gateway (README "The example services"), so for it
the check is only that it never refuses.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from authorizer.rules import RuleSet, load_rules
from authorizer.sam_template import RouteSpec, SamApplication, load_template
from tests.support.proxy_events import authorizer_context, proxy_event
from tests.support.services import load_service_app, response_json

REPO = Path(__file__).resolve().parents[2]
GATEWAY_ONLY = frozenset({"HelloFunction"})  # services that re-check no scope


@cache
def rules() -> RuleSet:
    return load_rules(REPO / "policies" / "rules.yaml")


@cache
def template() -> SamApplication:
    return load_template(REPO / "template.yaml")


def cases() -> list[tuple[str, frozenset[str], str, bool]]:
    """Every (client, request, expected) of the decision tables, as `python -m authorizer test` runs them."""
    from authorizer.cli.coverage import view_routes
    from authorizer.cli.decision_tables import cases_for
    from authorizer.cli.sources import read_clients, read_template

    cli_template = read_template(REPO / "template.yaml")
    clients = read_clients(REPO / "policies" / "rules_test.yaml", cli_template)
    views = view_routes(rules(), cli_template.routes)
    return [
        (case.client.name, case.client.scopes, f"{case.request.method} {case.request.path}", case.expected_allowed)
        for client in clients
        for case in cases_for(client, views)
    ]


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
        if route.function in GATEWAY_ONLY:
            if refused:
                disagreements.append((client, request, response["statusCode"], "gateway-only service refused"))
            continue
        if refused == allowed:
            disagreements.append((client, request, response["statusCode"], "rules allow" if allowed else "rules deny"))
    assert disagreements == []
    assert checked == len(cases())  # every request of the table is on a deployed route
