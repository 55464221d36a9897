"""An orders API (template, rules, decision tables) for the rules tools' tests, written to a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
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
            Identity: {ReauthorizeEvery: 300}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ., Handler: authorizer.app.lambda_handler, Runtime: python3.13}
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/orders/
      Handler: app.handler
      Runtime: python3.13
      Events:
        List: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /orders, Method: get}}
        Create: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /orders, Method: post}}
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/orders/{id}", Method: get}}
        Delete: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/orders/{id}", Method: delete}}
        Refund: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/orders/{id}/refunds", Method: post}}
        Refunds: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/orders/{id}/refunds", Method: get}}
        Admin: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/admin/{proxy+}", Method: any}}
        Health: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /health, Method: get, Auth: {Authorizer: NONE}}}
"""

RULES = """\
version: 1
rules:
  - route: GET /orders
    any_scopes: [read:orders, admin]
  - route: POST /orders
    scopes: [write:orders]
  - route: GET /orders/{id}
    any_scopes: [read:orders, admin]
  - route: DELETE /orders/*
    scopes: [admin]
  - route: POST /orders/{id}/refunds
    scopes: [refund:orders]
  - route: GET /orders/1
    scopes: [vip]
  - route: "* /admin/*"
    deny: true
"""

TABLES = """\
version: 1
clients:
  - name: reader
    scopes: [read:orders, vip]
    allowed:
      - GET /orders
      - GET /orders/{id}
      - GET /orders/{id}/refunds
  - name: admin
    scopes: [admin, vip]
    allowed: [GET /orders, "GET /orders/{id}", "DELETE /orders/{id}", "GET /orders/{id}/refunds"]
  - name: writer
    scopes: [write:orders]
    allowed: [POST /orders]
  - name: nobody
    scopes: []
    allowed: []
"""


@dataclass(frozen=True)
class Example:
    """The example laid out like the repository: template.yaml and policies/."""

    folder: Path

    @property
    def template(self) -> Path:
        return self.folder / "template.yaml"

    @property
    def rules(self) -> Path:
        return self.folder / "policies" / "rules.yaml"

    @property
    def tables(self) -> Path:
        return self.folder / "policies" / "rules_test.yaml"


def write_example(
    folder: Path, *, rules: str = RULES, tables: str = TABLES, template: str = TEMPLATE
) -> Example:
    example = Example(folder)
    example.rules.parent.mkdir(parents=True, exist_ok=True)
    example.template.write_text(template)
    example.rules.write_text(rules)
    example.tables.write_text(tables)
    return example
