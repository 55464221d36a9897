"""Read the REST APIs of a plain CloudFormation template, as ``cdk synth`` writes it (tools only).

``AWS::ApiGateway::Method`` resources become routes: the path is rebuilt from the
``AWS::ApiGateway::Resource`` chain (``ParentId`` up to the API's ``RootResourceId``, joining each
``PathPart``), the guard from ``AuthorizationType`` and ``AuthorizerId`` (a ``!Ref`` to an
``AWS::ApiGateway::Authorizer``). An authorizer's function is read from its ``AuthorizerUri``
(``Fn::Join`` or ``Fn::Sub`` around ``Fn::GetAtt Function.Arn``, or an ARN); when the function
is an ``AWS::Lambda::Function`` of the template, its ``Handler`` is recorded too.

A method is declared public on purpose by ``AuthorizationType: NONE`` together with
``Metadata: {scopegate: public}`` (in CDK: ``(method.node.defaultChild as CfnResource)
.addMetadata('scopegate', 'public')``): CloudFormation has no default authorizer, and CDK writes
``NONE`` for every method it is not told to guard, so ``NONE`` alone cannot say "on purpose".
Whatever else creates HTTP routes (an API with an OpenAPI ``Body``, HTTP APIs, function URLs,
SAM resources) is recorded as unread, for the audit to refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scopegate_tools.document_loader import DocumentError, load_document
from scopegate_tools.rest_api import (
    AuthorizerSpec,
    FunctionRef,
    MethodSpec,
    RestApiDocument,
    Source,
    UnreadSource,
    function_of_uri,
    function_ref,
)
from scopegate_tools.sam_events import line_of

REST_API = "AWS::ApiGateway::RestApi"
RESOURCE = "AWS::ApiGateway::Resource"
METHOD = "AWS::ApiGateway::Method"
AUTHORIZER = "AWS::ApiGateway::Authorizer"
LAMBDA_FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
PUBLIC_METADATA = ("scopegate", "public")  # Metadata: {scopegate: public}
CDK_PATH = "aws:cdk:path"


def load_cloudformation(path: Path) -> RestApiDocument:
    """Read the template at ``path``; :class:`DocumentError` names the file and line of what is wrong."""
    source = str(path)
    template = load_document(path, "CloudFormation template")
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    if not isinstance(resources, Mapping):
        raise DocumentError(f"{source}: not a CloudFormation template (it has no Resources)")
    transform = template.get("Transform")
    if "AWS::Serverless" in str(transform or ""):
        key = next(key for key in template if key == "Transform")  # the loader's key knows its line
        raise DocumentError(
            f"{source}:{line_of(key)}: a SAM template (Transform: {transform}); read it with "
            "--template, which reads its Api events"
        )
    authorizers = {
        str(logical_id): _authorizer(logical_id, resource, resources)
        for logical_id, resource in resources.items()
        if _type(resource) == AUTHORIZER
    }
    methods: list[MethodSpec] = []
    for logical_id, resource in resources.items():
        if _type(resource) != METHOD:
            continue
        methods.append(_method(logical_id, resource, resources))
    return RestApiDocument(
        source=Source.CLOUDFORMATION,
        path=source,
        stage=_stage(resources),
        authorizers=authorizers,
        methods=tuple(methods),
        unread=tuple(_unread(resources)),
    )


def _type(resource: Any) -> str:
    return str(resource.get("Type", "")) if isinstance(resource, Mapping) else ""


def _props(resource: Any) -> Mapping[str, Any]:
    props = resource.get("Properties") if isinstance(resource, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _ref(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def _get_att(value: Any) -> tuple[str, str] | None:
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        parts = target.split(".", 1) if isinstance(target, str) else list(target)
        if len(parts) == 2 and all(isinstance(part, str) for part in parts):
            return parts[0], parts[1]
    return None


def _named(logical_id: str, resource: Any) -> str:
    """The logical id, with CDK's construct path when the template has it."""
    cdk_path = (resource.get("Metadata") or {}).get(CDK_PATH) if isinstance(resource, Mapping) else None
    return f"{logical_id} ({cdk_path})" if isinstance(cdk_path, str) else logical_id


def _path_of(resource_id: Any, resources: Mapping[str, Any], seen: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The path of a ResourceId/ParentId value, or None and what it holds instead."""
    root = _get_att(resource_id)
    if root is not None and root[1] == "RootResourceId" and _type(resources.get(root[0])) == REST_API:
        return "/", ""
    target = _ref(resource_id)
    if target is None:
        return None, "neither !Ref to an AWS::ApiGateway::Resource nor !GetAtt <RestApi>.RootResourceId"
    resource = resources.get(target)
    if _type(resource) != RESOURCE:
        return None, f"!Ref {target}, not an AWS::ApiGateway::Resource of this template"
    if target in seen:
        return None, f"a ParentId chain that loops through {target}"
    props = _props(resource)
    part = props.get("PathPart")
    if not isinstance(part, str) or not part:
        return None, f"{target}, whose PathPart is not a plain string"
    parent, why = _path_of(props.get("ParentId"), resources, (*seen, target))
    if parent is None:
        return None, why
    return parent.rstrip("/") + "/" + part, ""


def _method(logical_id: Any, resource: Any, resources: Mapping[str, Any]) -> MethodSpec:
    """``logical_id`` is the template's key, which knows its line."""
    props = _props(resource)
    api = _ref(props.get("RestApiId"))
    path, why = _path_of(props.get("ResourceId"), resources)
    verb = props.get("HttpMethod")
    authorization = props.get("AuthorizationType", "NONE")
    authorizer = props.get("AuthorizerId")
    authorizer_id = _ref(authorizer)
    unread = None
    if api is None or _type(resources.get(api)) != REST_API:
        unread = "its RestApiId is not a !Ref to an AWS::ApiGateway::RestApi of this template"
    elif path is None:
        unread = f"its ResourceId is {why}"
    elif not isinstance(verb, str) or not verb:
        unread = "its HttpMethod is not a plain string"
    elif not isinstance(authorization, str):
        unread = "its AuthorizationType is not a plain string"
    elif authorizer is not None and authorizer_id is None:
        unread = "its AuthorizerId is not a !Ref to an AWS::ApiGateway::Authorizer of this template"
    metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    public = isinstance(metadata, Mapping) and metadata.get(PUBLIC_METADATA[0]) == PUBLIC_METADATA[1]
    return MethodSpec(
        api=api or "",
        method=verb.upper() if isinstance(verb, str) else "?",
        path=path or "?",
        where=_named(str(logical_id), resource),
        line=line_of(logical_id),
        authorizers=(authorizer_id,) if authorizer_id else (),
        authorization=str(authorization).upper() if isinstance(authorization, str) else "?",
        public=public,
        unread=unread,
    )


def _authorizer(logical_id: Any, resource: Any, resources: Mapping[str, Any]) -> AuthorizerSpec:
    props = _props(resource)
    identity = props.get("IdentitySource")
    sources = tuple(part.strip() for part in identity.split(",")) if isinstance(identity, str) else ()
    return AuthorizerSpec(
        name=str(logical_id),
        kind=str(props.get("Type", "")).upper(),
        function=_function(props.get("AuthorizerUri"), resources),
        identity_sources=sources,
        line=line_of(logical_id),
    )


def _function(uri: Any, resources: Mapping[str, Any]) -> FunctionRef | None:
    """The function of an AuthorizerUri: a GetAtt in a Join or Sub, or the ARN in a string."""
    if uri is None:
        return None
    logical_id: str | None = None
    text = ""
    if isinstance(uri, str):
        text = function_of_uri(uri)
    elif isinstance(uri, Mapping) and "Fn::Join" in uri:
        parts = uri["Fn::Join"][1] if isinstance(uri["Fn::Join"], list) and len(uri["Fn::Join"]) == 2 else []
        for part in parts if isinstance(parts, list) else []:
            target = _get_att(part)
            if target is not None and target[1] == "Arn":
                logical_id = target[0]
            elif _ref(part) and not str(_ref(part)).startswith("AWS::"):
                logical_id = _ref(part)  # a parameter or another resource holding the ARN
        text = logical_id or ""
    elif isinstance(uri, Mapping) and "Fn::Sub" in uri:
        sub = uri["Fn::Sub"]
        text = function_of_uri(sub if isinstance(sub, str) else str(sub[0]) if isinstance(sub, list) and sub else "")
        logical_id = text[2:-5] if text.startswith("${") and text.endswith(".Arn}") else None
    if not text:
        return FunctionRef("?", frozenset())
    function = resources.get(logical_id) if logical_id else None
    if _type(function) in LAMBDA_FUNCTIONS:
        props = _props(function)
        handler = props.get("Handler")
        name = props.get("FunctionName")
        return function_ref(
            text, logical_id, handler if isinstance(handler, str) else None,
            (name,) if isinstance(name, str) else (),
        )
    return function_ref(text, logical_id)


def _stage(resources: Mapping[str, Any]) -> str | None:
    names = [
        _props(resource).get("StageName")
        for resource in resources.values()
        if _type(resource) in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment")
    ]
    stages = sorted((name for name in names if isinstance(name, str) and name), key=len)
    return stages[-1] if stages else None


def _unread(resources: Mapping[str, Any]) -> list[UnreadSource]:
    """What creates HTTP routes besides AWS::ApiGateway::Method: refused, as it is not read."""
    found = []
    for logical_id, resource in resources.items():
        kind = _type(resource)
        subject = _named(str(logical_id), resource)
        line = line_of(logical_id)
        props = _props(resource)
        if kind == REST_API and ("Body" in props or "BodyS3Location" in props):
            key = "Body" if "Body" in props else "BodyS3Location"
            found.append(UnreadSource(subject, line, (
                f"is an {kind} whose routes and authorizers come from its OpenAPI {key}, which "
                "--cloudformation does not read; check that document with --openapi"
            )))
        elif kind.startswith("AWS::ApiGatewayV2::") and kind not in (
            "AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping"
        ):
            found.append(UnreadSource(subject, line, (
                f"is an {kind}: HTTP and WebSocket APIs are not supported (scopegate is a Lambda "
                "authorizer for REST APIs), so nothing checks their routes against rules.yaml; serve "
                "the routes from an AWS::ApiGateway::RestApi guarded by scopegate"
            ), http_api=True))
        elif kind == "AWS::Lambda::Url":
            found.append(UnreadSource(subject, line, (
                f"is an {kind}: it gives a function an HTTPS URL that bypasses API Gateway and "
                "scopegate; remove it and call the function through a method scopegate guards"
            )))
        elif kind.startswith("AWS::Serverless::") and kind not in ("AWS::Serverless::LayerVersion",):
            found.append(UnreadSource(subject, line, (
                f"is an {kind}, a SAM resource, which --cloudformation does not read; read a SAM "
                "template with --template"
            )))
    return found
