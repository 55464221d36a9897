"""Refuse what creates HTTP routes the tools do not read (pure).

The tools read the ``Api`` events of ``AWS::Serverless::Function`` resources on
``AWS::Serverless::Api`` resources built by SAM from those events. Anything else that makes
a route could open it without scopegate, so ``check`` names it as an error instead of
skipping it: ``HttpApi`` events, ``Api`` events whose ``RestApiId``, ``Auth``, ``Path`` or
``Method`` cannot be read, ``Globals: Api`` keys that decide routes or their guards, APIs
with a ``DefinitionBody``/``DefinitionUri``, function URLs, HTTP and WebSocket APIs
(``AWS::Serverless::HttpApi``, ``AWS::ApiGatewayV2::*``) and hand-written REST APIs
(``AWS::ApiGateway::RestApi``, ``AWS::ApiGateway::Method``).
"""

from __future__ import annotations

from scopegate_tools.cli.route_problem import Problem, RouteProblem
from scopegate_tools.sam_events import Unread, UnreadEvent
from scopegate_tools.sam_template import SamApplication

# ApiGatewayV2's DomainName and ApiMapping are left out: they also serve REST APIs and make no route.
UNREAD_ROUTE_TYPES = ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Method")
HTTP_API_TYPES = ("AWS::Serverless::HttpApi",)
HTTP_API_TYPE_PREFIX = "AWS::ApiGatewayV2::"
DOMAIN_TYPES = ("AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping")
FUNCTION_URL_TYPE = "AWS::Lambda::Url"
GLOBALS_API_KEYS = ("Auth", "DefinitionUri", "DefinitionBody")  # what decides an API's routes and guards


def unread_route_problems(app: SamApplication, target: str) -> list[RouteProblem]:
    """One problem per unread route source; ``target`` is what a RestApiId should say to be guarded."""
    events = [_unread_event_problem(event, target) for event in app.unread_events]
    return events + _template_problems(app, target)


def _unread_event_problem(event: UnreadEvent, target: str) -> RouteProblem:
    if event.unread is Unread.HTTP_API:
        kind = Problem.HTTP_API
        route = f"({event.found}) " if event.found else ""
        message = (
            f"{route}is an HttpApi event: HTTP APIs are not supported (scopegate is a TOKEN "
            "authorizer for REST APIs, and the tools read only Api events), so nothing checks this "
            f"route against rules.yaml; use Type: Api with RestApiId: {target}"
        )
    elif event.unread is Unread.REST_API_ID:
        kind = Problem.UNREAD_EVENT
        message = (
            f"has RestApiId: {event.found}; the tools read only a !Ref to an AWS::Serverless::Api "
            "of this template, so they cannot tell which authorizer guards its route; use "
            f"RestApiId: {target}"
        )
    elif event.unread is Unread.AUTH:
        kind = Problem.UNREAD_EVENT
        message = (
            f"has Auth: {event.found}, which the tools cannot read (they read a mapping whose "
            "Authorizer is a plain string), so they cannot tell which authorizer guards its route; "
            "leave Auth out so that the API's default guards it, or write Auth: {Authorizer: NONE} "
            "to make it public"
        )
    elif event.unread is Unread.RESOURCE_PATH:
        kind = Problem.UNREAD_EVENT
        message = (
            f"has a Path that is not an API Gateway resource path: {event.found}; write e.g. "
            "Path: /orders/{id}"
        )
    else:
        kind = Problem.UNREAD_EVENT
        message = (
            f"is an Api event without a plain string Path and Method ({event.found}), so the tools "
            "cannot tell which route it creates; write e.g. Path: /orders and Method: get"
        )
    text = f"{event.function} event {event.event} {message}"
    return RouteProblem(kind, event.function, event.event, event.line, text)


def _template_problems(app: SamApplication, target: str) -> list[RouteProblem]:
    """Everything besides Api events that creates HTTP routes: refused, as the tools do not read it."""
    through_api = f"call the function through an Api event with RestApiId: {target}"
    found = [
        RouteProblem(
            Problem.GLOBALS_API, "Globals", None, line,
            f"Globals: Api: {key} is not supported by the tools: SAM applies it to its implicit API "
            "and to every AWS::Serverless::Api, and the tools do not merge it; write it in the "
            "Properties of each AWS::Serverless::Api (and give every Api event a RestApiId)",
        )
        for key, line in app.globals_api.items()
        if key in GLOBALS_API_KEYS
    ]
    found += [
        RouteProblem(
            Problem.API_DEFINITION, api.logical_id, None, api.line,
            f"{api.logical_id} has a {api.definition}, which describes routes and authorizers the "
            "tools do not read; remove it and declare every route as an Api event (SAM then writes "
            "the OpenAPI document, with the DefaultAuthorizer on every route)",
        )
        for api in app.apis.values()
        if api.definition is not None
    ]
    found += [
        RouteProblem(
            Problem.FUNCTION_URL, function.logical_id, None, function.function_url_line,
            f"{function.logical_id} has a FunctionUrlConfig, which gives it an HTTPS URL that "
            f"bypasses API Gateway and scopegate; remove it (from Globals too) and {through_api}",
        )
        for function in app.functions.values()
        if function.function_url_line is not None
    ]
    for resource in app.resources:
        what = f"{resource.logical_id} is an {resource.type}"
        if resource.type in HTTP_API_TYPES or (
            resource.type.startswith(HTTP_API_TYPE_PREFIX) and resource.type not in DOMAIN_TYPES
        ):
            kind, message = Problem.HTTP_API, (
                f"{what}: HTTP and WebSocket APIs are not supported (scopegate is a TOKEN authorizer "
                "for REST APIs), so nothing checks their routes against rules.yaml; serve the "
                f"routes as Api events with RestApiId: {target}"
            )
        elif resource.type in UNREAD_ROUTE_TYPES:
            kind, message = Problem.UNREAD_RESOURCE, (
                f"{what}, which creates REST API routes the tools do not read (they read the Api "
                f"events of AWS::Serverless::Function); declare each route as an Api event with "
                f"RestApiId: {target}"
            )
        elif resource.type == FUNCTION_URL_TYPE:
            kind, message = Problem.FUNCTION_URL, (
                f"{what}: it gives a function an HTTPS URL that bypasses API Gateway and scopegate; "
                f"remove it and {through_api}"
            )
        else:
            continue
        found.append(RouteProblem(kind, resource.logical_id, None, resource.line, message))
    return found
