"""The OpenAPI reader: an API Gateway export (OpenAPI 3, JSON) and Swagger 2 YAML documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopegate_tools.document_loader import DocumentError
from scopegate_tools.openapi_document import load_openapi
from scopegate_tools.rest_api import AuthorizerSpec, MethodSpec, Source, function_ref

REPO = Path(__file__).resolve().parents[2]
EXPORT = REPO / "examples" / "terraform" / "exported-api.json"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:scopegate-authorizer"


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_export_gives_every_operation_its_security_and_any_method_as_ANY() -> None:
    # GIVEN the export-shaped document WHEN it is read
    document = load_openapi(EXPORT)
    # THEN each operation is a method with the line of its key and the scheme it asks for
    assert (document.source, document.stage) == (Source.OPENAPI, "prod")
    lines = iter(number for number, line in enumerate(EXPORT.read_text().splitlines(), 1)
                 if line.strip().startswith(('"get" :', '"post" :', '"delete" :', '"x-amazon-apigateway-any-method" :')))
    guarded = ("scopegate",)
    assert document.methods == tuple(
        MethodSpec("exported-api.json", method, path, f"paths.{path}.{key}", next(lines),
                   () if public else guarded, "NONE" if public else "CUSTOM", public=public)
        for method, path, key, public in [
            ("GET", "/health", "get", True),
            ("GET", "/hello", "get", False),
            ("GET", "/orders", "get", False),
            ("POST", "/orders", "post", False),
            ("GET", "/orders/{id}", "get", False),
            ("DELETE", "/orders/{id}", "delete", False),
            ("ANY", "/orders/{id}/notes", "x-amazon-apigateway-any-method", False),
            ("POST", "/orders/{id}/refunds", "post", False),
        ]
    )
    # AND its authorizer is the TOKEN scheme on the function of its authorizerUri; the API key is left out
    assert document.authorizers == {
        "scopegate": AuthorizerSpec("scopegate", "TOKEN", function_ref(FUNCTION_ARN),
                                    ("method.request.header.Authorization",), line_of(EXPORT, '"scopegate" : {'))
    }
    assert document.authorizers["scopegate"].function.names == frozenset({FUNCTION_ARN, "scopegate-authorizer"})


SWAGGER = """\
swagger: "2.0"
info: {title: orders, version: "1"}
basePath: /Dev
security:
  - scopegate: []
paths:
  /orders:
    get: {}
    post:
      security: [{api_key: [], scopegate: []}]
  /orders/{id}:
    x-amazon-apigateway-any-method:
      security: [{iam: []}]
  /mixed:
    get:
      security: [{scopegate: []}, {iam: []}]
securityDefinitions:
  api_key: {type: apiKey, name: x-api-key, in: header}
  iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
  scopegate:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer:
      type: request
      identitySource: method.request.header.Authorization, context.httpMethod, context.resourcePath
      authorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthorizerFunction.Arn}/invocations"
"""


def test_swagger_2_yaml_takes_the_document_security_as_default_and_drops_api_keys(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(SWAGGER)
    document = load_openapi(path)
    assert document.stage == "Dev"
    assert [(m.text, m.authorizers, m.line, m.unread) for m in document.methods] == [
        ("GET /orders", ("scopegate",), 8, None),
        ("POST /orders", ("scopegate",), 9, None),
        ("ANY /orders/{id}", ("iam",), 12, None),
        ("GET /mixed", ("scopegate", "iam"), 15,
         "asks for several authorizers (scopegate, iam): API Gateway applies one, and the tools cannot tell which"),
    ]
    assert {name: (spec.kind, spec.identity_sources) for name, spec in document.authorizers.items()} == {
        "iam": ("AWS_IAM", ()),
        "scopegate": ("REQUEST", ("method.request.header.Authorization", "context.httpMethod", "context.resourcePath")),
    }
    # a DefinitionBody's ${Function.Arn} names the function by its logical id
    assert "AuthorizerFunction" in document.authorizers["scopegate"].function.names


@pytest.mark.parametrize(("text", "message"), [
    ("openapi: 3.0.1\npaths: [\n", "api.yaml:3: the OpenAPI document does not parse as YAML"),
    ('{"openapi": "3.0.1",\n "paths": {}\n', "api.yaml:3: the OpenAPI document is not valid JSON"),
    ("info: {title: x}\npaths: {}\n", "api.yaml: neither openapi: 3.x nor swagger: '2.0' at the top"),
    ("openapi: 3.0.1\ninfo: {title: x}\n", "api.yaml: the document has no paths"),
])
def test_unreadable_documents_are_refused_naming_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(text)
    with pytest.raises(DocumentError) as raised:
        load_openapi(path)
    assert str(raised.value).startswith(str(tmp_path / message))
