"""authorizer.sam_template: template.yaml read with cfn-lint's CloudFormation loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from authorizer.sam_template import TemplateError, load_template

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
