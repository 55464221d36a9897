"""scopegate_tools.cli.route_audit: which routes reach scopegate, which are public, which are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopegate_tools.cli.route_audit import Problem, RouteAudit, audit_routes
from scopegate_tools.cli.route_problem import RouteProblem
from scopegate_tools.sam_template import load_template

# Svc's event `Case` (line 26) and the resources after it (from line 27) vary per test.
BASE = """\
Transform: AWS::Serverless-2016-10-31
{globals}Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Dev
      Auth:
        DefaultAuthorizer: Scopegate
        Authorizers:
          Scopegate: {{FunctionArn: !GetAtt AuthorizerFunction.Arn}}
          Other: {{FunctionArn: !GetAtt OtherAuthorizer.Arn}}
          Pool: {{UserPoolArn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/x}}
  AuthorizerFunction:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: ., Handler: authorizer.app.lambda_handler}}
  OtherAuthorizer:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: other/, Handler: other.handler}}
  Svc:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: svc/
      Handler: app.handler
      Events:
        Guarded: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /items, Method: get}}}}
        Case: {event}
{resources}"""

NO_ROUTE = "{Type: Schedule, Properties: {Schedule: rate(1 day)}}"


def open_api(properties: str) -> str:
    """Another AWS::Serverless::Api, `Open`, at line 27."""
    return f"  Open:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: Dev\n{properties}"


def audit(tmp_path: Path, event: str, resources: str = "", globals_: str = "") -> RouteAudit:
    path = tmp_path / "template.yaml"
    path.write_text(BASE.format(event=event, resources=resources, globals=globals_))
    return audit_routes(load_template(path))


def test_a_route_on_the_scopegate_api_is_guarded_and_one_declared_none_is_public(tmp_path: Path) -> None:
    # GIVEN Authorizer: NONE (an API key changes nothing: it is not authentication)
    result = audit(tmp_path, "{Type: Api, Properties: {RestApiId: !Ref Api, Path: /ping, Method: get, Auth: {Authorizer: NONE, ApiKeyRequired: true}}}")
    # THEN
    assert [(r.event, r.text, r.line) for r in result.guarded] == [("Guarded", "GET /items", 25)]
    assert [(r.function, r.event, r.text, r.line) for r in result.public] == [("Svc", "Case", "GET /ping", 26)]
    assert result.problems == ()


def test_a_route_that_names_scopegates_authorizer_is_guarded_on_an_api_without_default(tmp_path: Path) -> None:
    result = audit(
        tmp_path,
        "{Type: Api, Properties: {RestApiId: !Ref Open, Path: /ping, Method: get, Auth: {Authorizer: Sg}}}",
        open_api("      Auth: {Authorizers: {Sg: {FunctionArn: !GetAtt AuthorizerFunction.Arn}}}\n"),
    )
    assert ([r.event for r in result.guarded], result.public, result.problems) == (["Guarded", "Case"], (), ())


REF_OPEN = "{Type: Api, Properties: {RestApiId: !Ref Open, Path: /ping, Method: get}}"
IMPLICIT = (
    "Svc event Case (GET /ping) is on SAM's implicit API (the event has no RestApiId), which no "
    "authorizer guards: anyone can call it; add RestApiId: !Ref Api, and Auth: {Authorizer: NONE} "
    "only if it must be public"
)
TO_SCOPEGATE = "; the tools read only a !Ref to an AWS::Serverless::Api of this template, so they cannot tell which authorizer guards its route; use RestApiId: !Ref Api"
UNREAD_AUTH = (
    ", which the tools cannot read (they read a mapping whose Authorizer is a plain string), so they "
    "cannot tell which authorizer guards its route; leave Auth out so that the API's default guards "
    "it, or write Auth: {Authorizer: NONE} to make it public"
)
OTHER_AUTHORIZER_FIX = (
    ": rules.yaml does not apply to it; remove Authorizer so that the API's DefaultAuthorizer "
    "Scopegate (scopegate) guards it, or declare it public with Auth: {Authorizer: NONE}"
)

# id -> (the event Case, extra resources, Globals, the problems found: (kind, subject, line, message))
CASES = {
    "implicit API": (
        "{Type: Api, Properties: {Path: /ping, Method: get}}", "", "",
        [(Problem.IMPLICIT_API, "Svc event Case", 26, IMPLICIT)],
    ),
    "implicit API, declared NONE": (
        "{Type: Api, Properties: {Path: /ping, Method: get, Auth: {Authorizer: NONE}}}", "", "",
        [(Problem.IMPLICIT_API, "Svc event Case", 26, IMPLICIT)],
    ),
    "another API without DefaultAuthorizer": (
        REF_OPEN, open_api(""), "",
        [(Problem.UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, which has no DefaultAuthorizer: anyone can call it; use RestApiId: !Ref Api")],
    ),
    "another API whose default is AWS_IAM": (
        REF_OPEN, open_api("      Auth: {DefaultAuthorizer: AWS_IAM}\n"), "",
        [(Problem.UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, whose DefaultAuthorizer AWS_IAM is IAM authorization, not "
          "scopegate: rules.yaml does not apply to it; use RestApiId: !Ref Api")],
    ),
    "another API whose default is a TOKEN authorizer on another function": (
        REF_OPEN, open_api("      Auth: {DefaultAuthorizer: Tok, Authorizers: {Tok: {FunctionArn: !GetAtt OtherAuthorizer.Arn}}}\n"), "",
        [(Problem.UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, whose DefaultAuthorizer Tok is a TOKEN authorizer on "
          "OtherAuthorizer, whose Handler is 'other.handler', not scopegate's authorizer.app.lambda_handler: "
          "rules.yaml does not apply to it; use RestApiId: !Ref Api")],
    ),
    "another API whose default authorizer is an ARN string": (
        REF_OPEN, open_api("      Auth: {DefaultAuthorizer: Tok, Authorizers: {Tok: {FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:sg'}}}\n"), "",
        [(Problem.UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, whose DefaultAuthorizer Tok is a TOKEN authorizer whose "
          "FunctionArn is not !GetAtt of a function of this template, so the tools cannot tell it is "
          "scopegate: rules.yaml does not apply to it; use RestApiId: !Ref Api")],
    ),
    "another API with scopegate's authorizer, not as default": (
        REF_OPEN, open_api("      Auth: {Authorizers: {Sg: {FunctionArn: !GetAtt AuthorizerFunction.Arn}}}\n"), "",
        [(Problem.UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, which has no DefaultAuthorizer: anyone can call it; set "
          "Auth: DefaultAuthorizer: Sg on Open, or use RestApiId: !Ref Api")],
    ),
    "NONE on an API whose default is not scopegate's": (
        "{Type: Api, Properties: {RestApiId: !Ref Open, Path: /ping, Method: get, Auth: {Authorizer: NONE}}}",
        open_api("      Auth: {DefaultAuthorizer: AWS_IAM}\n"), "",
        [(Problem.PUBLIC_ON_UNGUARDED_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) declares Auth: {Authorizer: NONE} on Open, whose DefaultAuthorizer "
          "AWS_IAM is IAM authorization, not scopegate: a public route must be on an API that scopegate "
          "guards by default, where a route without Auth is guarded; use RestApiId: !Ref Api")],
    ),
    "event asks for AWS_IAM": (
        "{Type: Api, Properties: {RestApiId: !Ref Api, Path: /ping, Method: get, Auth: {Authorizer: AWS_IAM}}}", "", "",
        [(Problem.OTHER_AUTHORIZER, "Svc event Case", 26,
          "Svc event Case (GET /ping) asks for Auth: {Authorizer: AWS_IAM}, IAM authorization, not scopegate"
          + OTHER_AUTHORIZER_FIX)],
    ),
    "event asks for another TOKEN authorizer": (
        "{Type: Api, Properties: {RestApiId: !Ref Api, Path: /ping, Method: get, Auth: {Authorizer: Other}}}", "", "",
        [(Problem.OTHER_AUTHORIZER, "Svc event Case", 26,
          "Svc event Case (GET /ping) asks for Auth: {Authorizer: Other}, a TOKEN authorizer on "
          "OtherAuthorizer, whose Handler is 'other.handler', not scopegate's authorizer.app.lambda_handler"
          + OTHER_AUTHORIZER_FIX)],
    ),
    "event asks for a Cognito authorizer": (
        "{Type: Api, Properties: {RestApiId: !Ref Api, Path: /ping, Method: get, Auth: {Authorizer: Pool}}}", "", "",
        [(Problem.OTHER_AUTHORIZER, "Svc event Case", 26,
          "Svc event Case (GET /ping) asks for Auth: {Authorizer: Pool}, not a Lambda authorizer of "
          "Api, so not scopegate" + OTHER_AUTHORIZER_FIX)],
    ),
    "HttpApi event": (
        "{Type: HttpApi, Properties: {Path: /ping, Method: get}}", "", "",
        [(Problem.HTTP_API, "Svc event Case", 26,
          "Svc event Case (GET /ping) is an HttpApi event: HTTP APIs are not supported (scopegate is a TOKEN "
          "authorizer for REST APIs, and the tools read only Api events), so nothing checks this route "
          "against rules.yaml; use Type: Api with RestApiId: !Ref Api")],
    ),
    "RestApiId as a plain string": (
        "{Type: Api, Properties: {RestApiId: Api, Path: /ping, Method: get}}", "", "",
        [(Problem.UNREAD_EVENT, "Svc event Case", 26, "Svc event Case has RestApiId: 'Api' (a plain string)" + TO_SCOPEGATE)],
    ),
    "RestApiId from ImportValue": (
        "{Type: Api, Properties: {RestApiId: !ImportValue shared-api, Path: /ping, Method: get}}", "", "",
        [(Problem.UNREAD_EVENT, "Svc event Case", 26, "Svc event Case has RestApiId: Fn::ImportValue" + TO_SCOPEGATE)],
    ),
    "RestApiId to a plain AWS::ApiGateway::RestApi": (
        "{Type: Api, Properties: {RestApiId: !Ref Raw, Path: /ping, Method: get}}",
        "  Raw:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: raw}\n", "",
        [(Problem.UNREAD_EVENT, "Svc event Case", 26,
          "Svc event Case has RestApiId: !Ref Raw (an AWS::ApiGateway::RestApi)" + TO_SCOPEGATE),
         (Problem.UNREAD_RESOURCE, "Raw", 27,
          "Raw is an AWS::ApiGateway::RestApi, which creates REST API routes the tools do not read (they "
          "read the Api events of AWS::Serverless::Function); declare each route as an Api event with "
          "RestApiId: !Ref Api")],
    ),
    "Auth from Fn::If": (
        "{Type: Api, Properties: {RestApiId: !Ref Api, Path: /ping, Method: get, Auth: !If [C, {Authorizer: NONE}, {}]}}", "", "",
        [(Problem.UNREAD_EVENT, "Svc event Case", 26, "Svc event Case has Auth: Fn::If" + UNREAD_AUTH)],
    ),
    "Api event without Path": (
        "{Type: Api, Properties: {RestApiId: !Ref Api, Method: get}}", "", "",
        [(Problem.UNREAD_EVENT, "Svc event Case", 26,
          "Svc event Case is an Api event without a plain string Path and Method (Path: missing, Method: "
          "'get'), so the tools cannot tell which route it creates; write e.g. Path: /orders and Method: get")],
    ),
    "API with a definition document": (
        "{Type: Api, Properties: {RestApiId: !Ref Open, Path: /ping, Method: get}}",
        open_api("      DefinitionUri: openapi.yaml\n      Auth: {DefaultAuthorizer: Sg, Authorizers: {Sg: {FunctionArn: !GetAtt AuthorizerFunction.Arn}}}\n"), "",
        [(Problem.API_DEFINITION, "Svc event Case", 26,
          "Svc event Case (GET /ping) is on Open, whose routes and authorizers come from its DefinitionUri, "
          "which the tools do not read; remove the DefinitionUri from Open (SAM then builds the API from "
          "its Api events) or use RestApiId: !Ref Api"),
         (Problem.API_DEFINITION, "Open", 27,
          "Open has a DefinitionUri, which describes routes and authorizers the tools do not read; remove "
          "it and declare every route as an Api event (SAM then writes the OpenAPI document, with the "
          "DefaultAuthorizer on every route)")],
    ),
    "AWS::ApiGateway::Method": (
        NO_ROUTE,
        "  Get:\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: x, HttpMethod: GET, AuthorizationType: NONE}\n", "",
        [(Problem.UNREAD_RESOURCE, "Get", 27,
          "Get is an AWS::ApiGateway::Method, which creates REST API routes the tools do not read (they "
          "read the Api events of AWS::Serverless::Function); declare each route as an Api event with "
          "RestApiId: !Ref Api")],
    ),
    "AWS::Serverless::HttpApi": (
        NO_ROUTE, "  Http:\n    Type: AWS::Serverless::HttpApi\n", "",
        [(Problem.HTTP_API, "Http", 27,
          "Http is an AWS::Serverless::HttpApi: HTTP and WebSocket APIs are not supported (scopegate is a "
          "TOKEN authorizer for REST APIs), so nothing checks their routes against rules.yaml; serve the "
          "routes as Api events with RestApiId: !Ref Api")],
    ),
    "AWS::ApiGatewayV2 route (a domain name is no route)": (
        NO_ROUTE,
        "  V2Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: x, RouteKey: GET /ping}\n"
        "  V2Domain:\n    Type: AWS::ApiGatewayV2::DomainName\n    Properties: {DomainName: api.example.com}\n", "",
        [(Problem.HTTP_API, "V2Route", 27,
          "V2Route is an AWS::ApiGatewayV2::Route: HTTP and WebSocket APIs are not supported (scopegate is "
          "a TOKEN authorizer for REST APIs), so nothing checks their routes against rules.yaml; serve the "
          "routes as Api events with RestApiId: !Ref Api")],
    ),
    "FunctionUrlConfig": (
        NO_ROUTE,
        "  Open:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: open/, Handler: app.handler, FunctionUrlConfig: {AuthType: NONE}}\n", "",
        [(Problem.FUNCTION_URL, "Open", 29,
          "Open has a FunctionUrlConfig, which gives it an HTTPS URL that bypasses API Gateway and "
          "scopegate; remove it (from Globals too) and call the function through an Api event with "
          "RestApiId: !Ref Api")],
    ),
    "AWS::Lambda::Url": (
        NO_ROUTE,
        "  Url:\n    Type: AWS::Lambda::Url\n    Properties: {AuthType: AWS_IAM, TargetFunctionArn: !GetAtt Svc.Arn}\n", "",
        [(Problem.FUNCTION_URL, "Url", 27,
          "Url is an AWS::Lambda::Url: it gives a function an HTTPS URL that bypasses API Gateway and "
          "scopegate; remove it and call the function through an Api event with RestApiId: !Ref Api")],
    ),
    "Globals: Api: Auth": (
        NO_ROUTE, "", "Globals:\n  Api:\n    Auth: {DefaultAuthorizer: AWS_IAM}\n",
        [(Problem.GLOBALS_API, "Globals", 4,
          "Globals: Api: Auth is not supported by the tools: SAM applies it to its implicit API and to "
          "every AWS::Serverless::Api, and the tools do not merge it; write it in the Properties of each "
          "AWS::Serverless::Api (and give every Api event a RestApiId)")],
    ),
}


@pytest.mark.parametrize(("event", "resources", "globals_", "expected"), CASES.values(), ids=CASES.keys())
def test_a_route_that_does_not_reach_scopegate_is_a_problem_naming_its_line_and_fix(
    tmp_path: Path, event: str, resources: str, globals_: str, expected: list[tuple[Problem, str, int, str]]
) -> None:
    # WHEN the template with this event (or resource) is audited
    result = audit(tmp_path, event, resources, globals_)
    # THEN it is reported, neither guarded nor public; the route on the scopegate API stays guarded
    assert [(p.problem, p.subject, p.line, p.message) for p in result.problems] == expected
    assert ([r.event for r in result.guarded], result.public) == (["Guarded"], ())


def test_without_a_scopegate_api_the_fix_says_how_scopegate_is_recognised(tmp_path: Path) -> None:
    # GIVEN the API's authorizer runs another handler: no API is scopegate's
    path = tmp_path / "template.yaml"
    path.write_text(BASE.format(event=NO_ROUTE, resources="", globals="").replace(
        "Handler: authorizer.app.lambda_handler", "Handler: custom.handler"
    ))
    # WHEN audited THEN the route on it is an error, and the fix names what the tools look for
    (problem,) = audit_routes(load_template(path)).problems
    assert problem == RouteProblem(
        Problem.UNGUARDED_API, "Svc", "Guarded", 25,
        "Svc event Guarded (GET /items) is on Api, whose DefaultAuthorizer Scopegate is a TOKEN "
        "authorizer on AuthorizerFunction, whose Handler is 'custom.handler', not scopegate's "
        "authorizer.app.lambda_handler: rules.yaml does not apply to it; use RestApiId: !Ref <an "
        "AWS::Serverless::Api whose DefaultAuthorizer is a TOKEN (or per-route REQUEST) authorizer with FunctionArn !GetAtt "
        "<the function with Handler authorizer.app.lambda_handler>.Arn>",
    )


def test_problems_are_listed_in_template_order(tmp_path: Path) -> None:
    result = audit(
        tmp_path, "{Type: HttpApi}",
        "  Http:\n    Type: AWS::Serverless::HttpApi\n", "Globals:\n  Api:\n    DefinitionUri: openapi.yaml\n",
    )
    assert [(p.subject, p.line) for p in result.problems] == [("Globals", 4), ("Svc event Case", 29), ("Http", 30)]


PER_ROUTE = "{Headers: [Authorization], Context: [httpMethod, resourcePath]}"


def request_mode(tmp_path: Path, identity: str) -> RouteAudit:
    path = tmp_path / "template.yaml"
    path.write_text(BASE.format(event=NO_ROUTE, resources="", globals="").replace(
        "Scopegate: {FunctionArn: !GetAtt AuthorizerFunction.Arn}",
        f"Scopegate: {{FunctionArn: !GetAtt AuthorizerFunction.Arn, FunctionPayloadType: REQUEST, "
        f"Identity: {identity}}}",
    ))
    return audit_routes(load_template(path))


def test_a_request_authorizer_cached_by_token_method_and_resource_path_is_scopegates(tmp_path: Path) -> None:
    result = request_mode(tmp_path, PER_ROUTE)
    assert ([r.event for r in result.guarded], result.problems) == (["Guarded"], ())


@pytest.mark.parametrize(
    ("identity", "sources"),
    [
        ("{Headers: [Authorization]}", "method.request.header.Authorization"),
        ("{Headers: [Authorization], Context: [resourcePath]}", "method.request.header.Authorization, context.resourcePath"),
        ("{Headers: [Authorization], Context: [httpMethod, resourcePath, stage]}",
         "method.request.header.Authorization, context.httpMethod, context.resourcePath, context.stage"),
        ("{Headers: [Authorization, X-Extra], Context: [httpMethod, resourcePath]}",
         "method.request.header.Authorization, method.request.header.X-Extra, context.httpMethod, context.resourcePath"),
    ],
    ids=["token-only", "no-method", "one-more-context", "one-more-header"],
)
def test_a_request_authorizer_with_other_identity_sources_is_not_scopegates(
    tmp_path: Path, identity: str, sources: str
) -> None:
    # GIVEN scopegate's function as a REQUEST authorizer whose cache key is not (token, method, resource)
    (problem,) = request_mode(tmp_path, identity).problems
    # THEN its routes are problems: a per-route policy would be reused on other routes
    assert (problem.problem, problem.subject) == (Problem.UNGUARDED_API, "Svc event Guarded")
    assert problem.message == (
        "Svc event Guarded (GET /items) is on Api, whose DefaultAuthorizer Scopegate is a REQUEST "
        f"authorizer on scopegate's AuthorizerFunction whose identity sources are {sources}, not exactly "
        "context.httpMethod, context.resourcePath, method.request.header.Authorization: API Gateway would "
        "reuse the policy of one route on others; set Identity: {Headers: [Authorization], Context: "
        "[httpMethod, resourcePath]}: rules.yaml does not apply to it; use RestApiId: !Ref <an "
        "AWS::Serverless::Api whose DefaultAuthorizer is a TOKEN (or per-route REQUEST) authorizer with "
        "FunctionArn !GetAtt <the function with Handler authorizer.app.lambda_handler>.Arn>"
    )
