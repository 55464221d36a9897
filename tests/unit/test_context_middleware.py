"""scopegate_context.middleware: the principal and the declared scope re-checks under APIGatewayRestResolver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from scopegate_context import (
    Principal,
    ScopesFileError,
    current_principal,
    require_declared_scopes,
    require_principal,
)

from tests.conftest import LogLines
from tests.support.proxy_events import proxy_event
from tests.support.services import captured_log, response_json

SERVICE = "middleware-test"
SCOPES = """\
version = 1

[routes]
"GET /orders" = { any_scopes = ["read:orders", "admin"] }
"POST /orders/{id}/refunds" = [{ any_scopes = ["read:orders", "admin"] }, { scopes = ["refund:orders", "admin"] }]
"GET /hello" = { gateway_only = true }
"""
FORBIDDEN = {"message": "Forbidden", "error": "insufficient_scope"}
CHALLENGE = 'Bearer realm="scopegate", error="insufficient_scope"'


class Probe:
    """A tiny service that declares its re-checks in a scopes.toml: which routes ran, and for whom."""

    def __init__(self, folder: Path) -> None:
        self.app = APIGatewayRestResolver()
        self.calls: list[tuple[str, Principal]] = []
        app = self.app
        app.use(middlewares=[require_declared_scopes(folder)])

        @app.get("/orders")
        def list_orders() -> dict[str, str]:
            self.calls.append(("list", current_principal(app)))
            return {"ok": "list"}

        @app.post("/orders/<order_id>/refunds")
        def refund(order_id: str) -> dict[str, str]:
            self.calls.append(("refund", current_principal(app)))
            return {"ok": order_id}

        @app.get("/hello")
        def hello() -> dict[str, str]:
            self.calls.append(("hello", current_principal(app)))
            return {"ok": "hello"}

        @app.get("/orders/<order_id>")
        def undeclared(order_id: str) -> dict[str, str]:
            self.calls.append(("undeclared", current_principal(app)))
            return {"ok": order_id}

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.app.resolve(event, None)


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Probe:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    (tmp_path / "scopes.toml").write_text(SCOPES)
    return Probe(tmp_path)


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogLines]:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    with captured_log(SERVICE, Logger(service=SERVICE)) as lines:
        yield lines


def without_timestamps(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("timestamp", "location")} for r in records]


def test_an_any_scopes_route_lets_one_of_the_scopes_through(probe: Probe) -> None:
    response = probe(proxy_event("GET", "/orders", authorizer="admin"))
    assert (response["statusCode"], response_json(response)) == (200, {"ok": "list"})
    assert [(name, p.client_id) for name, p in probe.calls] == [("list", "orders-admin")]


def test_a_principal_missing_one_scope_gets_the_gateways_own_403(probe: Probe, log: LogLines) -> None:
    # GIVEN a caller with refund:orders but not admin, which the gateway let through by mistake
    context = {"principalId": "r@clients", "scope": "read:orders refund:orders", "client_id": "refunder",
               "token_profile": "auth0", "rules_digest": "0123456789ab", "integrationLatency": 0}
    event = proxy_event("POST", "/orders/abc/refunds", authorizer=context, body="{}")
    event["headers"]["Authorization"] = "Bearer not.a-real.token"

    # WHEN the service resolves it
    response = probe(event)

    # THEN the 403 of template.yaml's ACCESS_DENIED, byte for byte, and the route never ran
    assert response["statusCode"] == 403
    assert response["multiValueHeaders"] == {"Content-Type": ["application/json"], "WWW-Authenticate": [CHALLENGE]}
    assert response["body"] == '{"message":"Forbidden","error":"insufficient_scope"}'
    assert probe.calls == []
    # AND one warning line says who was refused where and what the route needs, without the token
    assert without_timestamps(log.records()) == [{
        "level": "WARNING",
        "message": "scope re-check refused a request the gateway let through",
        "service": SERVICE,
        "reason": "insufficient_scope",
        "route": "POST /orders/{id}/refunds",
        "requirement": "(read:orders OR admin) AND refund:orders AND admin",
        "client_id": "refunder",
        "principal_id": "r@clients",
        "rules_digest": "0123456789ab",
        "method": "POST",
        "path": "/orders/abc/refunds",
        "resource": "/orders/{id}/refunds",
    }]
    assert "not.a-real.token" not in "".join(log.lines)


def test_an_any_scopes_route_refuses_a_principal_with_none_of_them(probe: Probe) -> None:
    response = probe(proxy_event("GET", "/orders", authorizer="empty_scope"))
    assert (response["statusCode"], response_json(response), probe.calls) == (403, FORBIDDEN, [])


def test_a_route_runs_when_every_requirement_holds(probe: Probe) -> None:
    response = probe(proxy_event("POST", "/orders/o-1/refunds", authorizer="admin", body="{}"))
    assert (response["statusCode"], response_json(response)) == (200, {"ok": "o-1"})


def test_a_gateway_only_route_runs_for_any_principal(probe: Probe) -> None:
    response = probe(proxy_event("GET", "/hello", authorizer="empty_scope"))
    assert (response["statusCode"], [p.client_id for _, p in probe.calls]) == (200, ["no-scopes"])


def test_a_route_the_file_does_not_declare_fails_closed_with_500(probe: Probe, log: LogLines, tmp_path: Path) -> None:
    response = probe(proxy_event("GET", "/orders/o-1", authorizer="admin"))
    assert (response["statusCode"], response_json(response)["error"], probe.calls) == (500, "server_error", [])
    assert [(r["level"], r["reason"], r["scopes_file"], r["resource"]) for r in log.records()] == [
        ("ERROR", "undeclared_route", str(tmp_path / "scopes.toml"), "/orders/{id}")
    ]


@pytest.mark.parametrize("path", ["/hello", "/orders", "/orders/o-1/refunds"])
def test_a_request_without_authorizer_context_fails_closed_with_500(probe: Probe, log: LogLines, path: str) -> None:
    # GIVEN a route deployed without the authorizer
    method = "POST" if path.endswith("refunds") else "GET"
    response = probe(proxy_event(method, path, authorizer=None))

    # THEN 500, no route ran, and one error line explains why
    assert response["statusCode"] == 500
    assert response_json(response) == {"statusCode": 500, "error": "server_error", "message": "Internal server error"}
    assert probe.calls == []
    assert [(r["level"], r["message"], r["reason"], r["problem"], r["path"]) for r in log.records()] == [
        ("ERROR", "no usable authorizer context; request refused", "missing_authorizer_context",
         "requestContext has no authorizer; is the route deployed without it?", path)
    ]


def test_a_malformed_context_fails_closed_with_500(probe: Probe, log: LogLines) -> None:
    response = probe(proxy_event("GET", "/hello", authorizer="non_string_scope"))
    assert response["statusCode"] == 500 and probe.calls == []
    assert [r["reason"] for r in log.records()] == ["malformed_authorizer_context"]


def test_require_principal_alone_runs_every_route_for_any_principal_and_500s_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    app = APIGatewayRestResolver()
    app.use(middlewares=[require_principal])
    app.get("/hello")(lambda: {"client": current_principal(app).client_id})
    assert response_json(app.resolve(proxy_event("GET", "/hello", authorizer="empty_scope"), None)) == {"client": "no-scopes"}
    assert app.resolve(proxy_event("GET", "/hello", authorizer=None), None)["statusCode"] == 500


def test_current_principal_is_per_request(probe: Probe) -> None:
    # WHEN two requests from different clients are resolved by the same warm container
    probe(proxy_event("GET", "/hello", authorizer="reader"))
    probe(proxy_event("GET", "/hello", authorizer="writer"))

    # THEN each route saw its own caller (the resolver clears its context after each request)
    assert [p.client_id for _, p in probe.calls] == ["orders-reader", "orders-writer"]
    assert probe.app.context == {}


def test_a_missing_or_broken_scopes_file_fails_when_the_service_loads(tmp_path: Path) -> None:
    with pytest.raises(ScopesFileError, match="scopes.toml: not found; a service that re-checks scopes declares them here"):
        require_declared_scopes(tmp_path)
    (tmp_path / "scopes.toml").write_text('version = 1\n[routes]\n"GET /orders" = { scope = ["read:orders"] }\n')
    with pytest.raises(ScopesFileError, match="unknown key 'scope'; did you mean 'scopes'"):
        require_declared_scopes(tmp_path)


def test_the_check_names_its_file_for_powertools_debugging(probe: Probe, tmp_path: Path) -> None:
    check = require_declared_scopes(tmp_path)
    assert (check.__name__, repr(check)) == ("DeclaredScopeCheck", f"DeclaredScopeCheck({tmp_path / 'scopes.toml'})")
