"""scopegate_tools.sam_events: a function's Events as routes, and the events the reader cannot read."""

from __future__ import annotations

from typing import Any

import pytest

from scopegate_tools.sam_events import IMPLICIT_API, RouteSpec, Unread, UnreadEvent, read_events

RESOURCES: dict[str, Any] = {
    "Api": {"Type": "AWS::Serverless::Api"},
    "Open": {"Type": "AWS::Serverless::Api"},
    "Raw": {"Type": "AWS::ApiGateway::RestApi"},
}
DEFAULTS = {"Api": "Scopegate", "Open": None, IMPLICIT_API: None}


def read(events: dict[str, Any]) -> tuple[list[RouteSpec], list[UnreadEvent]]:
    return read_events("Svc", events, RESOURCES, DEFAULTS)


def api_event(**properties: Any) -> dict[str, Any]:
    return {"Type": "Api", "Properties": {"Path": "/items", "Method": "get", **properties}}


def test_an_api_event_gets_its_own_authorizer_else_its_apis_default() -> None:
    # GIVEN events on the scopegate API: with no Auth, NONE, a named authorizer
    routes, unread = read({
        "Default": api_event(RestApiId={"Ref": "Api"}),
        "Public": api_event(RestApiId={"Ref": "Api"}, Auth={"Authorizer": "NONE", "ApiKeyRequired": True}),
        "Named": api_event(RestApiId={"Ref": "Api"}, Auth={"Authorizer": "AWS_IAM"}),
    })
    # THEN each is a route; `requested` keeps what the event wrote
    assert [(r.event, r.api, r.method, r.authorizer, r.requested) for r in routes] == [
        ("Default", "Api", "GET", "Scopegate", None),
        ("Public", "Api", "GET", None, "NONE"),
        ("Named", "Api", "GET", "AWS_IAM", "AWS_IAM"),
    ]
    assert unread == []


def test_an_api_event_without_rest_api_id_is_on_sams_implicit_api() -> None:
    routes, _ = read({"Ping": api_event()})
    assert [(r.api, r.authorizer, r.requested) for r in routes] == [(IMPLICIT_API, None, None)]


def test_an_http_api_event_is_unread_with_its_route() -> None:
    routes, unread = read({
        "Status": {"Type": "HttpApi", "Properties": {"Path": "/status", "Method": "get"}},
        "CatchAll": {"Type": "HttpApi"},
    })
    assert routes == []
    assert unread == [
        UnreadEvent("Svc", "Status", Unread.HTTP_API, "GET /status", 0),
        UnreadEvent("Svc", "CatchAll", Unread.HTTP_API, "ANY $default", 0),
    ]


@pytest.mark.parametrize(
    ("rest_api_id", "found"),
    [
        pytest.param("Api", "'Api' (a plain string)", id="plain string"),
        pytest.param({"Fn::ImportValue": "shared-api"}, "Fn::ImportValue", id="import"),
        pytest.param({"Fn::GetAtt": ["Api", "RootResourceId"]}, "Fn::GetAtt", id="getatt"),
        pytest.param({"Ref": "Raw"}, "!Ref Raw (an AWS::ApiGateway::RestApi)", id="ref to a plain RestApi"),
        pytest.param({"Ref": "ApiIdParameter"}, "!Ref ApiIdParameter (not a resource of this template)", id="ref to a parameter"),
    ],
)
def test_a_rest_api_id_that_is_not_a_ref_to_a_serverless_api_is_unread(rest_api_id: Any, found: str) -> None:
    routes, unread = read({"Ping": api_event(RestApiId=rest_api_id)})
    assert (routes, unread) == ([], [UnreadEvent("Svc", "Ping", Unread.REST_API_ID, found, 0)])


@pytest.mark.parametrize(
    ("auth", "found"),
    [
        pytest.param({"Fn::If": ["Open", {"Authorizer": "NONE"}, {}]}, "Fn::If", id="Fn::If"),
        pytest.param({"Authorizer": {"Ref": "Name"}}, "{Authorizer: !Ref}", id="authorizer from a Ref"),
        pytest.param("NONE", "'NONE'", id="a string"),
    ],
)
def test_an_auth_the_reader_cannot_read_is_unread_not_taken_for_the_default(auth: Any, found: str) -> None:
    routes, unread = read({"Ping": api_event(RestApiId={"Ref": "Api"}, Auth=auth)})
    assert (routes, unread) == ([], [UnreadEvent("Svc", "Ping", Unread.AUTH, found, 0)])


def test_an_api_event_without_a_string_path_and_method_is_unread() -> None:
    routes, unread = read({"Ping": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Api"}, "Method": "get"}}})
    assert (routes, unread) == ([], [UnreadEvent("Svc", "Ping", Unread.ROUTE, "Path: missing, Method: 'get'", 0)])


def test_an_api_event_whose_path_is_not_a_resource_path_is_unread_with_the_problem() -> None:
    routes, unread = read({"Ping": api_event(RestApiId={"Ref": "Api"}, Path="/items/{id}/{rest+}/x")})
    assert (routes, unread) == ([], [UnreadEvent(
        "Svc", "Ping", Unread.RESOURCE_PATH,
        "resource path '/items/{id}/{rest+}/x': greedy parameter {rest+} must be the last segment", 0,
    )])


def test_a_routes_resource_is_its_path_parsed_by_the_one_route_parser() -> None:
    routes, _ = read({"Get": api_event(RestApiId={"Ref": "Api"}, Path="/items/{id}")})
    assert routes[0].resource.match("/items/7") == {"id": "7"}


def test_events_that_make_no_http_route_are_not_recorded() -> None:
    routes, unread = read({
        "Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Q", "Arn"]}}},
        "Nightly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}},
    })
    assert (routes, unread) == ([], [])
