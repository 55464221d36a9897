"""Helpers for tests of the local stack: test templates, HTTP calls, running servers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scopegate_tools.sam_template import load_template
from local.gateway.events import LOCAL_REGION
from local.gateway.functions import FunctionPool
from local.gateway.gateway import Gateway
from local.gateway.result_cache import ManualClock
from local.gateway.server import GatewayServer

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDAS = REPO_ROOT / "tests" / "e2e" / "lambdas"


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _headers(message: Any) -> dict[str, str]:
    """Headers by name; a repeated header's values joined with ", "."""
    return {name: ", ".join(message.get_all(name)) for name in dict.fromkeys(message.keys())}


def http(method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None) -> HttpResult:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return HttpResult(response.status, _headers(response.headers), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResult(error.code, _headers(error.headers), error.read())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def gateway_template(
    authorizer_handler: str,
    reauthorize_every: int,
    routes: Mapping[str, str],
    authorizer_code_uri: Path = LAMBDAS / "authorizers",
    authorizer_env: Mapping[str, str] | None = None,
    gateway_responses: str = "",
    authorizer_timeout: int = 10,
) -> str:
    """A SAM template: one API (stage Dev) with a Lambda authorizer and echo/hello routes.

    ``routes`` maps ``"GET /path"`` to ``echo``, ``hello`` or ``echo-public`` (Authorizer: NONE).
    As in template.yaml, the parameter ``AuthorizerMode`` (TOKEN by default, or REQUEST: cached by
    token, method and resource path) chooses the authorizer's type.
    """
    events: dict[str, list[str]] = {"echo": [], "hello": []}
    for index, (route, target) in enumerate(routes.items()):
        method, path = route.split(" ", 1)
        auth = ", Auth: {Authorizer: NONE}" if target.endswith("-public") else ""
        events[target.removesuffix("-public")].append(
            f"        E{index}: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: \"{path}\", "
            f"Method: {method.lower()}{auth}}}}}"
        )
    variables = "".join(f"          {k}: \"{v}\"\n" for k, v in (authorizer_env or {}).items())
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  TokenIssuer: {{Type: String, Default: "http://127.0.0.1:1/"}}
  Audience: {{Type: String, Default: "https://api.scopegate.local"}}
  JwksUri: {{Type: String, Default: ""}}
  AuthorizerMode: {{Type: String, Default: TOKEN, AllowedValues: [TOKEN, REQUEST]}}
Globals:
  Function: {{Runtime: python3.13, Timeout: 10}}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Dev
{gateway_responses}      Auth:
        DefaultAuthorizer: TestAuthorizer
        Authorizers:
          TestAuthorizer:
            FunctionArn: !GetAtt AuthorizerFunction.Arn
            FunctionPayloadType: !Ref AuthorizerMode
            Identity:
              Header: Authorization
              ValidationExpression: "^Bearer [-0-9A-Za-z_.]+$"
              Headers: [Authorization]
              Context: [httpMethod, resourcePath]
              ReauthorizeEvery: {reauthorize_every}
  AuthorizerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {authorizer_code_uri}
      Handler: {authorizer_handler}
      Timeout: {authorizer_timeout}
      Environment:
        Variables:
          TOKEN_ISSUER: !Ref TokenIssuer
          AUDIENCE: !Ref Audience
          JWKS_URI: !Ref JwksUri
{variables}  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {LAMBDAS / "echo"}
      Handler: app.lambda_handler
      Environment: {{Variables: {{ECHO_NAME: echo}}}}
      Events:
{chr(10).join(events["echo"]) or "        {}"}
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {LAMBDAS / "hello"}
      Handler: app.lambda_handler
      Events:
{chr(10).join(events["hello"]) or "        {}"}
"""


@dataclass
class RunningGateway:
    server: GatewayServer
    clock: ManualClock

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/Dev"

    def invocations(self, function: str = "AuthorizerFunction") -> int:
        return self.server.gateway.functions.invocations[function]


@contextmanager
def running_gateway(template: Path, overrides: Mapping[str, str] | None = None) -> Iterator[RunningGateway]:
    app = load_template(template, overrides)
    clock = ManualClock()
    pool = FunctionPool(app.functions, template.parent, LOCAL_REGION)
    server = GatewayServer(Gateway(app, pool, clock)).start()
    try:
        yield RunningGateway(server, clock)
    finally:
        server.stop()
