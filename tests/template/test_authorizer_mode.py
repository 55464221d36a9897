"""template.yaml's AuthorizerMode: the SAM translator gives a TOKEN or a REQUEST authorizer from one template.

SAM does not resolve ``Fn::If`` inside ``Auth`` (aws/serverless-application-model issues #1138,
#1859), but ``SamApi.to_cloudformation`` resolves parameter ``Ref``s there before it builds the
authorizers. These tests run that translator (aws-sam-translator, the version cfn-lint and
``sam validate`` pin) on the shipped template with each parameter value, as CloudFormation's
``AWS::Serverless`` transform would with the stack's parameters, and read the authorizer it
emits; and they read the template as the tools and the local gateway do.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import loads

from scopegate_tools.cli.route_audit import scopegate_authorizers
from scopegate_tools.cli.route_problem import REQUEST_IDENTITY_SOURCES
from scopegate_tools.sam_template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = loads((REPO / "template.yaml").read_text(), "template.yaml")
REQUIRED = {"Audience": "https://api.example.com", "Auth0Domain": "tenant.eu.auth0.com"}


def translated(**parameters: str) -> dict[str, Any]:
    """The CloudFormation the SAM translator makes of template.yaml with these parameter values."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template = copy.deepcopy(TEMPLATE)
    for resource in template["Resources"].values():  # the translator wants packaged code
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = "s3://bucket/key.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    return Translator({}, Parser()).translate(template, parameter_values={**REQUIRED, **parameters})


def authorizer_of(cloudformation: dict[str, Any]) -> dict[str, Any]:
    body = cloudformation["Resources"]["Api"]["Properties"]["Body"]
    scheme = body["components"]["securitySchemes"]["ScopegateAuthorizer"]
    authorizer = dict(scheme["x-amazon-apigateway-authorizer"])
    authorizer.pop("authorizerUri")
    # a parameter value arrives as a string, the template's default as written
    authorizer["authorizerResultTtlInSeconds"] = int(authorizer["authorizerResultTtlInSeconds"])
    return {"header": scheme["name"], **authorizer}


def test_the_mode_is_a_parameter_token_by_default() -> None:
    spec = TEMPLATE["Parameters"]["AuthorizerMode"]
    assert (spec["Type"], spec["Default"], spec["AllowedValues"]) == ("String", "TOKEN", ["TOKEN", "REQUEST"])


def test_token_mode_is_a_token_authorizer_on_the_header_with_its_validation_expression() -> None:
    assert authorizer_of(translated()) == {
        "header": "Authorization",
        "type": "token",
        "authorizerResultTtlInSeconds": 300,
        "identityValidationExpression": "^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z_.]+$",
    }


def test_request_mode_is_a_request_authorizer_cached_by_token_method_and_resource_path() -> None:
    assert authorizer_of(translated(AuthorizerMode="REQUEST", ReauthorizeEvery="600")) == {
        "header": "Unused",
        "type": "request",
        "authorizerResultTtlInSeconds": 600,
        "identitySource": "method.request.header.Authorization, context.httpMethod, context.resourcePath",
    }


@pytest.mark.parametrize("mode", ["TOKEN", "REQUEST"])
def test_each_mode_guards_every_route_and_may_invoke_the_function(mode: str) -> None:
    cloudformation = translated(AuthorizerMode=mode)
    paths = cloudformation["Resources"]["Api"]["Properties"]["Body"]["paths"]
    securities = {method: op.get("security") for path in paths.values() for method, op in path.items()}
    assert set(map(str, securities.values())) == {"[{'ScopegateAuthorizer': []}]"}
    permission = cloudformation["Resources"]["ApiScopegateAuthorizerAuthorizerPermission"]["Properties"]
    assert permission["FunctionName"] == {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}


@pytest.mark.parametrize(
    ("mode", "payload_type", "sources", "expression"),
    [
        ("TOKEN", "TOKEN", (), "^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z_.]+$"),
        ("REQUEST", "REQUEST", ("method.request.header.Authorization", "context.httpMethod", "context.resourcePath"), None),
    ],
)
def test_the_tools_read_the_mode_the_parameter_chooses(
    mode: str, payload_type: str, sources: tuple[str, ...], expression: str | None
) -> None:
    app = load_template(REPO / "template.yaml", {"AuthorizerMode": mode})
    spec = app.apis["Api"].authorizers["ScopegateAuthorizer"]
    assert (spec.payload_type, spec.identity_sources, spec.validation_expression) == (payload_type, sources, expression)
    assert scopegate_authorizers(app, app.apis["Api"]) == {"ScopegateAuthorizer"}
    assert frozenset(sources or REQUEST_IDENTITY_SOURCES) == REQUEST_IDENTITY_SOURCES
