"""scopegate_tools.sam_template: template.yaml read with cfn-lint's CloudFormation loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopegate_tools.sam_events import Unread, UnreadEvent
from scopegate_tools.sam_template import ApiSpec, ResourceSpec, TemplateError, load_template

REPO = Path(__file__).resolve().parents[2]

EXTRA = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: Prod}
  Ttl: {Type: Number, Default: 60}
Globals:
  Function:
    Runtime: python3.13
    Environment: {Variables: {SHARED: "yes"}}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {ReauthorizeEvery: !Ref Ttl, ValidationExpression: "^Bearer .+$"}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ., Handler: authorizer.app.lambda_handler}
  Svc:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/x/
      Handler: app.handler
      Environment: {Variables: {TABLE: !Sub "${Stage}-table"}}
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/items/{id}", Method: get}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /health, Method: any, Auth: {Authorizer: NONE}}}
"""


def test_load_template_reads_the_shipped_template() -> None:
    app = load_template(REPO / "template.yaml")
    api = app.apis["Api"]
    assert (api.stage, api.default_authorizer) == ("Dev", "ScopegateAuthorizer")
    authorizer = api.authorizers["ScopegateAuthorizer"]
    assert (authorizer.function, authorizer.header, authorizer.reauthorize_every) == ("AuthorizerFunction", "Authorization", 300)
    assert ("GET", "/hello", "HelloFunction") in [(r.method, r.path, r.function) for r in app.authorized_routes()]
    assert app.functions["AuthorizerFunction"].handler == "authorizer.app.lambda_handler"


REQUEST_AUTHORIZER = EXTRA.replace(
    "Parameters:\n",
    "Parameters:\n  Mode: {Type: String, Default: TOKEN, AllowedValues: [TOKEN, REQUEST]}\n",
).replace(
    "            Identity: {ReauthorizeEvery: !Ref Ttl, ValidationExpression: \"^Bearer .+$\"}",
    "            FunctionPayloadType: !Ref Mode\n"
    "            Identity: {ReauthorizeEvery: !Ref Ttl, ValidationExpression: \"^Bearer .+$\", Headers: [Authorization],"
    " QueryStrings: [v], StageVariables: [s], Context: [httpMethod, resourcePath]}",
)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("TOKEN", ("TOKEN", "^Bearer .+$", ())),
        ("REQUEST", ("REQUEST", None, ("method.request.header.Authorization", "method.request.querystring.v",
                                       "stageVariables.s", "context.httpMethod", "context.resourcePath"))),
    ],
)
def test_load_template_reads_the_payload_type_a_parameter_chooses(
    tmp_path: Path, mode: str, expected: tuple[str, str | None, tuple[str, ...]]
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(REQUEST_AUTHORIZER)
    spec = load_template(path, {"Mode": mode}).apis["Api"].authorizers["Tok"]
    assert (spec.payload_type, spec.validation_expression, spec.identity_sources) == expected
    assert spec.reauthorize_every == 60


def test_load_template_refuses_a_value_outside_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(REQUEST_AUTHORIZER)
    with pytest.raises(TemplateError, match=r"template.yaml:4: parameter Mode is 'request', not one of TOKEN, REQUEST"):
        load_template(path, {"Mode": "request"})


def test_load_template_refuses_an_unknown_payload_type(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(REQUEST_AUTHORIZER.replace("FunctionPayloadType: !Ref Mode", "FunctionPayloadType: TOKN"))
    with pytest.raises(TemplateError, match="FunctionPayloadType of Tok is 'TOKN', not TOKEN or REQUEST"):
        load_template(path)


def test_load_template_resolves_parameters_globals_and_public_routes(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(EXTRA)
    app = load_template(path, overrides={"Stage": "Test"})
    assert app.apis["Api"].stage == "Test"
    assert app.apis["Api"].authorizers["Tok"].reauthorize_every == 60
    assert dict(app.functions["Svc"].environment) == {"SHARED": "yes", "TABLE": "Test-table"}
    assert [(r.method, r.path, r.authorizer) for r in app.routes] == [("GET", "/items/{id}", "Tok"), ("ANY", "/health", None)]
    assert app.authorizer_functions == frozenset({"AuthFn"})


def test_load_template_names_file_and_line_of_a_yaml_error(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  A: [unclosed\n")
    with pytest.raises(TemplateError, match=r"template.yaml:\d+: template does not parse"):
        load_template(path)


def test_shipped_template_answers_401_and_403_the_rfc_6750_way() -> None:
    responses = load_template(REPO / "template.yaml").apis["Api"].gateway_responses
    unauthorized, denied = responses["UNAUTHORIZED"], responses["ACCESS_DENIED"]
    assert (unauthorized["StatusCode"], denied["StatusCode"]) == (401, 403)
    assert unauthorized["ResponseParameters"]["Headers"]["WWW-Authenticate"] == "'Bearer realm=\"scopegate\", error=\"invalid_token\"'"
    assert denied["ResponseParameters"]["Headers"]["WWW-Authenticate"] == "'Bearer realm=\"scopegate\", error=\"insufficient_scope\"'"
    assert unauthorized["ResponseTemplates"]["application/json"] == '{"message":"Unauthorized","error":"invalid_token"}'


IMPLICIT = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Pattern: {Type: String, Default: "^Bearer .+$"}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Dev
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {ValidationExpression: !Ref Pattern}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ., Handler: a.handler}
  Open:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: open/
      Handler: app.handler
      Events:
        Ping: {Type: Api, Properties: {Path: /ping, Method: get}}
"""


def test_load_template_resolves_validation_expression_and_adds_the_implicit_api(tmp_path: Path) -> None:
    # GIVEN a ValidationExpression from a parameter and an Api event without RestApiId
    path = tmp_path / "template.yaml"
    path.write_text(IMPLICIT)
    # WHEN the template is read with an override
    app = load_template(path, overrides={"Pattern": "^Bearer [a-z]+$"})
    # THEN the expression is the override, and SAM's implicit API (stage Prod, no auth) exists
    assert app.apis["Api"].authorizers["Tok"].validation_expression == "^Bearer [a-z]+$"
    assert app.apis["ServerlessRestApi"] == ApiSpec("ServerlessRestApi", "Prod", None, {}, {})
    assert [(r.api, r.path, r.authorizer) for r in app.routes] == [("ServerlessRestApi", "/ping", None)]


def test_load_template_lists_the_layers_a_function_uses() -> None:
    app = load_template(REPO / "template.yaml")
    assert app.functions["HelloFunction"].layers == ("services/shared/",)
    assert app.functions["AuthorizerFunction"].layers == ()


def test_load_template_derives_the_issuer_and_jwks_url_from_the_auth0_domain() -> None:
    # GIVEN only the Auth0 domain WHEN the template is read THEN issuer and JWKS URL are derived
    app = load_template(REPO / "template.yaml", overrides={"Auth0Domain": "tenant.eu.auth0.com", "Audience": "https://api"})
    environment = app.functions["AuthorizerFunction"].environment
    assert (environment["TOKEN_ISSUER"], environment["JWKS_URI"], environment["AUDIENCE"]) == (
        "https://tenant.eu.auth0.com/", "https://tenant.eu.auth0.com/.well-known/jwks.json", "https://api"
    )


def test_load_template_lets_token_issuer_and_jwks_uri_override_the_derived_ones() -> None:
    custom = load_template(REPO / "template.yaml", overrides={"Auth0Domain": "t.auth0.com", "TokenIssuer": "https://login.example.com/"})
    pinned = load_template(REPO / "template.yaml", overrides={"Auth0Domain": "t.auth0.com", "JwksUri": "https://keys.example.com/jwks"})
    assert [(a.functions["AuthorizerFunction"].environment["TOKEN_ISSUER"], a.functions["AuthorizerFunction"].environment["JWKS_URI"])
            for a in (custom, pinned)] == [
        ("https://login.example.com/", "https://login.example.com/.well-known/jwks.json"),
        ("https://t.auth0.com/", "https://keys.example.com/jwks"),
    ]


def test_load_template_evaluates_nested_conditions(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(EXTRA.replace("Globals:", """Conditions:
  IsProd: !Equals [!Ref Stage, Prod]
  IsShort: !Equals [!Ref Ttl, "60"]
  Both: !And [!Condition IsProd, !Or [!Condition IsShort, !Not [!Condition IsProd]]]
Globals:""").replace('TABLE: !Sub "${Stage}-table"', "TABLE: !If [Both, prod-short, other]"))
    tables = [load_template(path, overrides=o).functions["Svc"].environment["TABLE"] for o in ({}, {"Ttl": "5"}, {"Stage": "Dev"})]
    assert tables == ["prod-short", "other", "other"]


ROUTE_SOURCES = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth: {DefaultAuthorizer: AWS_IAM}
    TracingEnabled: true
  Function:
    FunctionUrlConfig: {AuthType: NONE}
Resources:
  Spec:
    Type: AWS::Serverless::Api
    Properties: {StageName: Dev, DefinitionUri: openapi.yaml}
  Svc:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: svc/
      Handler: app.handler
      Events:
        Status: {Type: HttpApi, Properties: {Path: /status, Method: get}}
        Shared: {Type: Api, Properties: {RestApiId: !ImportValue shared-api, Path: /x, Method: get}}
  Get:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Spec, ResourceId: x, HttpMethod: GET, AuthorizationType: NONE}
"""


def test_load_template_records_what_could_create_routes_with_its_lines(tmp_path: Path) -> None:
    # GIVEN a template with route sources the reader does not model
    path = tmp_path / "template.yaml"
    path.write_text(ROUTE_SOURCES)
    # WHEN it is read
    app = load_template(path)
    # THEN each is recorded with its template line, for `check` to judge
    assert dict(app.globals_api) == {"Auth": 4, "TracingEnabled": 5}
    assert (app.apis["Spec"].definition, app.apis["Spec"].line) == ("DefinitionUri", 9)
    assert app.functions["Svc"].function_url_line == 7  # from Globals
    assert app.resources == (
        ResourceSpec("Spec", "AWS::Serverless::Api", 9),
        ResourceSpec("Svc", "AWS::Serverless::Function", 12),
        ResourceSpec("Get", "AWS::ApiGateway::Method", 20),
    )
    assert app.unread_events == (
        UnreadEvent("Svc", "Status", Unread.HTTP_API, "GET /status", 18),
        UnreadEvent("Svc", "Shared", Unread.REST_API_ID, "Fn::ImportValue", 19),
    )
    assert app.routes == ()


def test_load_template_keeps_what_each_event_asked_for() -> None:
    app = load_template(REPO / "template.yaml")
    assert {(r.function, r.event, r.authorizer, r.requested) for r in app.routes if r.event in ("Hello", "GetOrder")} == {
        ("HelloFunction", "Hello", "ScopegateAuthorizer", None),
        ("OrdersFunction", "GetOrder", "ScopegateAuthorizer", None),
    }
    assert app.unread_events == () and dict(app.globals_api) == {}
