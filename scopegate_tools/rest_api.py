"""A REST API's methods and authorizers as an OpenAPI document or a CloudFormation template says (pure).

The readers (:mod:`scopegate_tools.openapi_document`, :mod:`scopegate_tools.cloudformation_api`)
record what their source says, never whether it is safe: :mod:`scopegate_tools.cli.api_audit`
judges that, with the same rules as the SAM reader's audit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

LAMBDA_FUNCTION_ARN = re.compile(
    r"arn:[^:]*:lambda:[^:]*:[^:]*:function:(?P<name>[^:/]+)(?::(?P<qualifier>[^:/]+))?"
)
SUB_ARN = re.compile(r"^\$\{(?P<logical_id>[A-Za-z0-9]+)\.Arn\}$")  # Fn::Sub's ${Function.Arn}


class Source(Enum):
    """Where the routes come from, and how that source declares a route public on purpose."""

    OPENAPI = ("OpenAPI document", "security: []")
    CLOUDFORMATION = ("CloudFormation template", "AuthorizationType: NONE with Metadata: {scopegate: public}")

    def __init__(self, label: str, public_declaration: str) -> None:
        self.label = label
        self.public_declaration = public_declaration


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """The Lambda function an authorizer's URI names."""

    text: str  # as written: an ARN, ${Function.Arn}, or a logical id
    names: frozenset[str]  # what --authorizer-function may say to name it (name, ARN, logical id)
    handler: str | None = None  # its Handler, when the function is a resource of the same template


def function_ref(text: str, logical_id: str | None = None, handler: str | None = None,
                 extra_names: tuple[str, ...] = ()) -> FunctionRef:
    """The names of a function given as an ARN (qualified or not), ``${Id.Arn}`` or a logical id."""
    names = {text, *extra_names}
    if logical_id:
        names.add(logical_id)
    sub = SUB_ARN.match(text)
    if sub:
        names.add(sub.group("logical_id"))
    arn = LAMBDA_FUNCTION_ARN.fullmatch(text)
    if arn:
        name, qualifier = arn.group("name"), arn.group("qualifier")
        names.add(name)
        if qualifier:
            names.add(f"{name}:{qualifier}")
            names.add(text.removesuffix(f":{qualifier}"))
    return FunctionRef(text, frozenset(names), handler)


def function_of_uri(uri: str) -> str:
    """The function part of an API Gateway Lambda URI (``.../functions/<function>/invocations``)."""
    start, end = uri.find("/functions/"), uri.rfind("/invocations")
    if start < 0 or end <= start:
        return uri
    return uri[start + len("/functions/"):end]


@dataclass(frozen=True, slots=True)
class AuthorizerSpec:
    name: str  # the security scheme's name, or the AWS::ApiGateway::Authorizer's logical id
    kind: str  # TOKEN, REQUEST, COGNITO_USER_POOLS, AWS_IAM, or what the source says
    function: FunctionRef | None  # the Lambda function of a TOKEN or REQUEST authorizer
    identity_sources: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One method of a resource: ``GET /orders/{id}``, and what guards it."""

    api: str  # the RestApi's logical id, or the document's file name
    method: str  # upper-case verb, or ANY
    path: str
    where: str  # how the source names it: paths./orders.get, or the Method's logical id
    line: int
    authorizers: tuple[str, ...]  # names of the authorizers it asks for (API keys left out)
    authorization: str  # NONE, CUSTOM, AWS_IAM, COGNITO_USER_POOLS (CloudFormation's AuthorizationType)
    public: bool = False  # declared public on purpose (Source.public_declaration)
    unread: str | None = None  # what the reader could not read about it (then it is a problem)

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class UnreadSource:
    """Something that creates routes the reader does not read: its name, line and the fix."""

    subject: str
    line: int
    message: str  # what it is and the fix, after the subject
    http_api: bool = False  # an HTTP or WebSocket API (unsupported), not merely unread


@dataclass(frozen=True, slots=True)
class RestApiDocument:
    source: Source
    path: str  # the file, as given
    stage: str | None  # the stage, when the source names one
    authorizers: Mapping[str, AuthorizerSpec]
    methods: tuple[MethodSpec, ...]
    unread: tuple[UnreadSource, ...] = ()
