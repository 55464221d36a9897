"""scopegate_context.route_scopes: a service's scopes.toml, read into what each route re-checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from scopegate_context import ScopeRequirement, ScopesFileError, parse_declared_scopes
from scopegate_context.route_scopes import RouteScopes

SERVICES = Path(__file__).resolve().parents[2] / "services"
SOURCE = "services/x/scopes.toml"


def routes(body: str) -> dict[str, RouteScopes]:
    return dict(parse_declared_scopes(f"version = 1\n[routes]\n{body}", SOURCE).routes)


def test_each_form_of_a_route_reads_as_its_requirements() -> None:
    declared = routes(
        '"GET /orders" = { any_scopes = ["read:orders", "admin"] }\n'
        '"POST /orders" = { scopes = ["write:orders"], any_scopes = ["eu", "us"] }\n'
        '"DELETE /orders/{id}" = [{ any_scopes = ["read:orders", "admin"] }, { scopes = ["admin"] }]\n'
        '"GET /status" = { authenticated = true }\n'
        '"ANY /hello/{proxy+}" = { gateway_only = true }\n'
    )
    assert declared == {
        "GET /orders": RouteScopes("GET", "/orders", (ScopeRequirement(("read:orders", "admin"), "any"),)),
        "POST /orders": RouteScopes("POST", "/orders", (
            ScopeRequirement(("write:orders",), "all"), ScopeRequirement(("eu", "us"), "any"))),
        "DELETE /orders/{id}": RouteScopes("DELETE", "/orders/{id}", (
            ScopeRequirement(("read:orders", "admin"), "any"), ScopeRequirement(("admin",), "all"))),
        "GET /status": RouteScopes("GET", "/status", ()),
        "ANY /hello/{proxy+}": RouteScopes("ANY", "/hello/{proxy+}", (), gateway_only=True),
    }
    assert [route.describe() for route in declared.values()] == [
        "read:orders OR admin",
        "write:orders AND (eu OR us)",
        "(read:orders OR admin) AND admin",
        "any principal",
        "nothing (gateway only)",
    ]


def test_a_route_is_satisfied_only_when_every_requirement_holds() -> None:
    route = routes('"DELETE /o/{id}" = [{ any_scopes = ["r", "admin"] }, { any_scopes = ["w", "admin"] }]\n')["DELETE /o/{id}"]
    assert [route.satisfied_by(frozenset(s)) for s in ([], ["r"], ["r", "w"], ["admin"], ["w"])] == [
        False, False, True, True, False
    ]


def test_a_request_finds_its_route_by_verb_then_any() -> None:
    declared = parse_declared_scopes(
        'version = 1\n[routes]\n"GET /a" = { scopes = ["x"] }\n"ANY /a" = { gateway_only = true }\n', SOURCE
    )
    assert declared.for_request("GET", "/a").route == "GET /a"  # type: ignore[union-attr]
    assert declared.for_request("DELETE", "/a").route == "ANY /a"  # type: ignore[union-attr]
    assert declared.for_request("GET", "/b") is None


BROKEN = [
    pytest.param("version = 1\n[routes\n", "not valid TOML (", id="not TOML"),
    pytest.param('[routes]\n"GET /a" = { scopes = ["x"] }\n', "'version' must be 1; add the line 'version = 1' at the top", id="no version"),
    pytest.param('version = 1\nroute = {}\n', "unknown top-level key 'route'; did you mean 'routes'?", id="top-level typo"),
    pytest.param("version = 1\n", "no [routes] table; add one with a line per route", id="no routes"),
    pytest.param('version = 1\n[routes]\n"get /a" = { scopes = ["x"] }\n', "route 'get /a': write the method in capitals, 'GET /a'", id="lower-case verb"),
    pytest.param('version = 1\n[routes]\n"/a" = { scopes = ["x"] }\n', "route '/a' is not 'METHOD /path'", id="no verb"),
    pytest.param('version = 1\n[routes]\n"GET /a/" = { scopes = ["x"] }\n', "route 'GET /a/': drop the trailing '/'", id="trailing slash"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { scope = ["x"] }\n', "route 'GET /a': unknown key 'scope'; did you mean 'scopes'?", id="key typo"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { scopes = "x" }\n', "route 'GET /a': 'scopes' must be a list, e.g. scopes = [\"x\"]", id="string for list"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { scopes = [] }\n', "'scopes' must be a non-empty list of scope names", id="empty list"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { scopes = ["x", "x"] }\n', "'scopes' lists a scope twice", id="duplicate scope"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { scopes = ["read orders"] }\n', "'scopes': 'read orders' is not a scope token", id="not a scope token"),
    pytest.param('version = 1\n[routes]\n"GET /a" = {}\n', "route 'GET /a': says nothing; give scopes, any_scopes", id="empty table"),
    pytest.param('version = 1\n[routes]\n"GET /a" = []\n', "an empty list re-checks nothing; write { gateway_only = true }", id="empty list of tables"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { gateway_only = false }\n', "'gateway_only' can only be true", id="flag false"),
    pytest.param('version = 1\n[routes]\n"GET /a" = { gateway_only = true, scopes = ["x"] }\n', "'gateway_only = true' stands alone; remove scopes", id="flag with scopes"),
    pytest.param('version = 1\n[routes]\n"GET /a" = [{ authenticated = true }]\n', "'authenticated' cannot be one of a list", id="flag in a list"),
    pytest.param('version = 1\n[routes]\n"GET /a" = "read:x"\n', "route 'GET /a': must be a table or a list of tables", id="string value"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_a_broken_file_is_refused_naming_the_file_the_route_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(ScopesFileError) as raised:
        parse_declared_scopes(text, SOURCE)
    assert str(raised.value).startswith(f"{SOURCE}: ")
    assert message in str(raised.value)


@pytest.mark.parametrize("service", ["hello", "orders"])
def test_the_shipped_services_declarations_load(service: str) -> None:
    from scopegate_context import load_declared_scopes

    declared = load_declared_scopes(SERVICES / service)
    assert declared.source == str(SERVICES / service / "scopes.toml") and declared.routes
