"""scopegate_context.middleware: the principal and the scope re-checks under APIGatewayRestResolver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from scopegate_context import (
    Principal,
    ScopeRequirement,
    current_principal,
    require_any_scope,
    require_principal,
    require_scopes,
    www_authenticate,
)

from tests.support.proxy_events import proxy_event
from tests.conftest import LogLines
from tests.support.services import captured_log, response_json

SERVICE = "middleware-test"


class Probe:
    """A tiny service: which routes ran, and for whom."""

    def __init__(self) -> None:
        self.app = APIGatewayRestResolver()
        self.calls: list[tuple[str, Principal]] = []
        app = self.app
        app.use(middlewares=[require_principal])

        @app.get("/orders", middlewares=[require_any_scope("read:orders", "admin")])
        def list_orders() -> dict[str, str]:
            self.calls.append(("list", current_principal(app)))
            return {"ok": "list"}

        @app.post("/orders/<order_id>/refunds", middlewares=[require_scopes("refund:orders", "admin")])
        def refund(order_id: str) -> dict[str, str]:
            self.calls.append(("refund", current_principal(app)))
            return {"ok": order_id}

        @app.get("/hello")
        def hello() -> dict[str, str]:
            self.calls.append(("hello", current_principal(app)))
            return {"ok": "hello"}

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.app.resolve(event, None)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Probe:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    return Probe()


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogLines]:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    with captured_log(SERVICE, Logger(service=SERVICE)) as lines:
        yield lines


def without_timestamps(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("timestamp", "location")} for r in records]


def test_require_any_scope_lets_one_of_the_scopes_through(probe: Probe) -> None:
    response = probe(proxy_event("GET", "/orders", authorizer="admin"))
    assert (response["statusCode"], response_json(response)) == (200, {"ok": "list"})
    assert [(name, p.client_id) for name, p in probe.calls] == [("list", "orders-admin")]


def test_require_scopes_refuses_a_principal_missing_one_scope_with_rfc6750_403(probe: Probe, log: LogLines) -> None:
    # GIVEN a caller with refund:orders but not admin, which the gateway let through by mistake
    context = {"principalId": "r@clients", "scope": "read:orders refund:orders", "client_id": "refunder",
               "token_profile": "auth0", "rules_digest": "0123456789ab", "integrationLatency": 0}
    event = proxy_event("POST", "/orders/abc/refunds", authorizer=context, body="{}")
    event["headers"]["Authorization"] = "Bearer not.a-real.token"

    # WHEN the service resolves it
    response = probe(event)

    # THEN 403 with the RFC 6750 challenge and a JSON body, and the route never ran
    assert response["statusCode"] == 403
    assert response["multiValueHeaders"]["WWW-Authenticate"] == ['Bearer error="insufficient_scope", scope="refund:orders admin"']
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert response_json(response) == {
        "statusCode": 403,
        "error": "insufficient_scope",
        "message": "this route needs the scope(s): refund:orders admin",
        "required_scopes": ["refund:orders", "admin"],
        "match": "all",
    }
    assert probe.calls == []
    # AND one warning line says who was refused where, without the token
    assert without_timestamps(log.records()) == [{
        "level": "WARNING",
        "message": "scope re-check refused a request the gateway let through",
        "service": SERVICE,
        "reason": "insufficient_scope",
        "required_scopes": ["refund:orders", "admin"],
        "match": "all",
        "client_id": "refunder",
        "principal_id": "r@clients",
        "rules_digest": "0123456789ab",
        "method": "POST",
        "path": "/orders/abc/refunds",
        "resource": "/orders/{id}/refunds",
    }]
    assert "not.a-real.token" not in "".join(log.lines)


def test_require_any_scope_names_the_alternatives_when_none_is_held(probe: Probe) -> None:
    response = probe(proxy_event("GET", "/orders", authorizer="empty_scope"))
    assert response["statusCode"] == 403
    assert response["multiValueHeaders"]["WWW-Authenticate"] == ['Bearer error="insufficient_scope", scope="read:orders admin"']
    assert response_json(response)["message"] == "this route needs one of the scopes: read:orders admin"
    assert response_json(response)["match"] == "any"


def test_require_scopes_runs_the_route_when_every_scope_is_held(probe: Probe) -> None:
    response = probe(proxy_event("POST", "/orders/o-1/refunds", authorizer="admin", body="{}"))
    assert (response["statusCode"], response_json(response)) == (200, {"ok": "o-1"})


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


def test_current_principal_is_per_request(probe: Probe) -> None:
    # WHEN two requests from different clients are resolved by the same warm container
    probe(proxy_event("GET", "/hello", authorizer="reader"))
    probe(proxy_event("GET", "/hello", authorizer="writer"))

    # THEN each route saw its own caller (the resolver clears its context after each request)
    assert [p.client_id for _, p in probe.calls] == ["orders-reader", "orders-writer"]
    assert probe.app.context == {}


def test_scope_requirement_refuses_bad_declarations_at_import_time() -> None:
    with pytest.raises(ValueError, match="at least one scope"):
        require_scopes()
    with pytest.raises(ValueError, match="is not a scope token"):
        require_any_scope('admin", error="none')
    with pytest.raises(ValueError, match="is not a scope token"):
        require_scopes("read orders")
    with pytest.raises(ValueError, match="match must be 'all' or 'any'"):
        ScopeRequirement(("admin",), "some")  # type: ignore[arg-type]


def test_www_authenticate_is_the_rfc6750_challenge() -> None:
    assert www_authenticate(ScopeRequirement(("write:orders",), "all")) == 'Bearer error="insufficient_scope", scope="write:orders"'


def test_scope_check_names_itself_for_powertools_debugging() -> None:
    check = require_any_scope("read:orders", "admin")
    assert (check.__name__, repr(check)) == ("ScopeCheck", "ScopeCheck(any: read:orders admin)")


def test_require_scopes_refuses_a_writer_on_the_refund_route(probe: Probe) -> None:
    response = probe(proxy_event("POST", "/orders/o-2/refunds", authorizer="writer", body="{}"))
    assert (response["statusCode"], response_json(response)["required_scopes"], probe.calls) == (403, ["refund:orders", "admin"], [])
