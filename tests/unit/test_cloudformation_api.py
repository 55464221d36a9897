"""The CloudFormation reader: the template `cdk synth` wrote for examples/cdk, and hand-written ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopegate_tools.cloudformation_api import load_cloudformation
from scopegate_tools.document_loader import DocumentError
from scopegate_tools.rest_api import Source

REPO = Path(__file__).resolve().parents[2]
SYNTHESIZED = REPO / "examples" / "cdk" / "ScopegateExample.template.json"


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_cdk_synth_output_gives_each_method_its_path_from_the_resource_chain_and_its_authorizer() -> None:
    # GIVEN the template cdk synth wrote WHEN it is read
    document = load_cloudformation(SYNTHESIZED)
    # THEN every AWS::ApiGateway::Method is a route, its path rebuilt from ParentId and PathPart
    assert (document.source, document.stage, document.unread) == (Source.CLOUDFORMATION, "prod", ())
    assert [(m.text, m.authorizers, m.authorization, m.public) for m in document.methods] == [
        ("GET /hello", ("ScopegateDD99B142",), "CUSTOM", False),
        ("GET /orders", ("ScopegateDD99B142",), "CUSTOM", False),
        ("POST /orders", ("ScopegateDD99B142",), "CUSTOM", False),
        ("GET /orders/{id}", ("ScopegateDD99B142",), "CUSTOM", False),
        ("DELETE /orders/{id}", ("ScopegateDD99B142",), "CUSTOM", False),
        ("POST /orders/{id}/refunds", ("ScopegateDD99B142",), "CUSTOM", False),
        ("GET /health", (), "NONE", True),
    ]
    health = document.methods[-1]
    assert (health.where, health.line) == (
        "ApihealthGET8A9DC1E4 (ScopegateExample/Api/Default/health/GET/Resource)",
        line_of(SYNTHESIZED, '"ApihealthGET8A9DC1E4": {'),
    )
    # AND the authorizer's function is followed through Fn::Join and Fn::GetAtt to its Handler
    (authorizer,) = document.authorizers.values()
    assert (authorizer.kind, authorizer.identity_sources, authorizer.function.handler) == (
        "TOKEN", ("method.request.header.Authorization",), "authorizer.app.lambda_handler",
    )
    assert "ScopegateFunctionFAAE8A80" in authorizer.function.names


HAND_WRITTEN = """\
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  Item:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Items, PathPart: "{id}"}
  Loop:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Loop, PathPart: loop}
  ItemAny:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Item, HttpMethod: ANY, AuthorizationType: CUSTOM, AuthorizerId: !Ref Gate}
  Looping:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Loop, HttpMethod: GET}
  Gate:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Type: REQUEST
      IdentitySource: method.request.header.Authorization,context.httpMethod,context.resourcePath
      AuthorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:scopegate:live/invocations"
  Url:
    Type: AWS::Lambda::Url
    Properties: {TargetFunctionArn: arn:aws:lambda:eu-west-1:123456789012:function:x, AuthType: NONE}
"""


def test_hand_written_template_reads_request_authorizers_by_arn_and_records_what_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(HAND_WRITTEN)
    document = load_cloudformation(path)
    assert [(m.text, m.line, m.unread) for m in document.methods] == [
        ("ANY /items/{id}", 14, None),
        ("GET ?", 17, "its ResourceId is a ParentId chain that loops through Loop"),
    ]
    gate = document.authorizers["Gate"]
    assert (gate.kind, gate.identity_sources, gate.function.handler) == (
        "REQUEST", ("method.request.header.Authorization", "context.httpMethod", "context.resourcePath"), None,
    )
    assert {"scopegate", "scopegate:live", "arn:aws:lambda:eu-west-1:123456789012:function:scopegate"} <= gate.function.names
    assert [(u.subject, u.line) for u in document.unread] == [("Url", 27)]


def test_a_sam_template_is_refused_with_the_option_that_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources: {}\n")
    with pytest.raises(DocumentError) as raised:
        load_cloudformation(path)
    assert str(raised.value) == (
        f"{path}:1: a SAM template (Transform: AWS::Serverless-2016-10-31); read it with --template, "
        "which reads its Api events"
    )
