"""Read an OpenAPI 3 or Swagger 2 document with API Gateway's extensions (tools only).

The shape is what ``aws apigateway get-export --parameters extensions='authorizers'`` writes and
what people write as a SAM ``DefinitionBody`` or Terraform ``body``:

- authorizers are security schemes (``components.securitySchemes``, Swagger 2's
  ``securityDefinitions``) with ``x-amazon-apigateway-authorizer`` (``type``: token, request or
  cognito_user_pools; ``authorizerUri``; ``identitySource``); a scheme with
  ``x-amazon-apigateway-authtype: awsSigv4`` is IAM; a plain ``apiKey`` scheme without either is
  an API key, which is not authentication and is left out;
- an operation asks for the schemes of its ``security``, else of the document's ``security``;
  ``security: []`` written on the operation declares it public on purpose;
- ``x-amazon-apigateway-any-method`` is the method ``ANY``.

An ``authorizerUri`` may be a string or a ``Fn::Sub`` (a DefinitionBody's ``${Function.Arn}``).
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

AUTHORIZER_EXTENSION = "x-amazon-apigateway-authorizer"
AUTHTYPE_EXTENSION = "x-amazon-apigateway-authtype"
ANY_METHOD = "x-amazon-apigateway-any-method"
OPERATION_KEYS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
                  "head": "HEAD", "patch": "PATCH", ANY_METHOD: "ANY"}
API_KEY = "API_KEY"  # a scheme that is only an API key
KINDS = {"token": "TOKEN", "request": "REQUEST", "cognito_user_pools": "COGNITO_USER_POOLS"}


def load_openapi(path: Path) -> RestApiDocument:
    """Read the document at ``path``; :class:`DocumentError` names the file and line of what is wrong."""
    source = str(path)
    document = load_document(path, "OpenAPI document")
    if not isinstance(document, Mapping):
        raise DocumentError(f"{source}: not an OpenAPI document (a mapping with openapi: 3.x or swagger: '2.0')")
    if str(document.get("openapi", "")).startswith("3"):
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
    elif str(document.get("swagger", "")) == "2.0":
        schemes = document.get("securityDefinitions") or {}
    else:
        raise DocumentError(
            f"{source}: neither openapi: 3.x nor swagger: '2.0' at the top; export the API as OpenAPI 3 "
            "or Swagger 2 (aws apigateway get-export --export-type oas30 --parameters extensions='authorizers')"
        )
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        raise DocumentError(f"{source}: the document has no paths")
    kinds = {name: _scheme_kind(scheme) for name, scheme in schemes.items() if isinstance(scheme, Mapping)}
    authorizers = {
        str(name): _authorizer(name, scheme, kinds[name])
        for name, scheme in schemes.items()
        if isinstance(scheme, Mapping) and kinds[name] != API_KEY
    }
    default = document.get("security")
    methods: list[MethodSpec] = []
    unread: list[UnreadSource] = []
    for route, item in paths.items():
        if not isinstance(item, Mapping) or "$ref" in item:
            unread.append(UnreadSource(
                f"paths.{route}", line_of(route),
                "is not a path item the tools can read (a $ref or not a mapping); write its operations inline",
            ))
            continue
        for key, operation in item.items():
            method = OPERATION_KEYS.get(str(key).lower())
            if method is None or not isinstance(operation, Mapping):
                continue
            where = f"paths.{route}.{key}"
            own = operation.get("security")
            declared = own if own is not None else default
            names, problem = _required(declared, kinds)
            methods.append(MethodSpec(
                api=path.name,
                method=method,
                path=str(route),
                where=where,
                line=line_of(key),
                authorizers=names,
                authorization="CUSTOM" if names else "NONE",
                public=isinstance(own, list) and not own,
                unread=problem,
            ))
    return RestApiDocument(
        source=Source.OPENAPI,
        path=source,
        stage=_stage(document),
        authorizers=authorizers,
        methods=tuple(methods),
        unread=tuple(unread),
    )


def _scheme_kind(scheme: Mapping[str, Any]) -> str:
    authorizer = scheme.get(AUTHORIZER_EXTENSION)
    if isinstance(authorizer, Mapping):
        kind = str(authorizer.get("type", "")).lower()
        return KINDS.get(kind, kind.upper() or "UNKNOWN")
    if str(scheme.get(AUTHTYPE_EXTENSION, "")).lower() == "awssigv4":
        return "AWS_IAM"
    if scheme.get("type") == "apiKey" and AUTHTYPE_EXTENSION not in scheme:
        return API_KEY
    return str(scheme.get(AUTHTYPE_EXTENSION) or scheme.get("type") or "UNKNOWN").upper()


def _authorizer(name: Any, scheme: Mapping[str, Any], kind: str) -> AuthorizerSpec:
    authorizer = scheme.get(AUTHORIZER_EXTENSION)
    function: FunctionRef | None = None
    identity: tuple[str, ...] = ()
    if isinstance(authorizer, Mapping):
        uri = _text(authorizer.get("authorizerUri"))
        if uri:
            function = function_ref(function_of_uri(uri))
        written = authorizer.get("identitySource")
        if isinstance(written, str) and written.strip():
            identity = tuple(part.strip() for part in written.split(","))
        elif kind == "TOKEN" and scheme.get("in") == "header":
            identity = (f"method.request.header.{scheme.get('name', 'Authorization')}",)
    return AuthorizerSpec(str(name), kind, function, identity, line_of(name))


def _text(value: Any) -> str:
    """A string, or the template of a ``Fn::Sub``; "" for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else str(sub[0]) if isinstance(sub, list) and sub else ""
    return ""


def _required(security: Any, kinds: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
    """The authorizers a security requirement list asks for, and what cannot be read in it."""
    if security is None:
        return (), None
    if not isinstance(security, list) or not all(isinstance(item, Mapping) for item in security):
        return (), "its security is not a list of requirement objects"
    names = [str(name) for item in security for name in item if kinds.get(name) != API_KEY]
    unique = tuple(dict.fromkeys(names))
    if len(unique) > 1:
        return unique, (
            f"asks for several authorizers ({', '.join(unique)}): API Gateway applies one, and the tools "
            "cannot tell which"
        )
    return unique, None


def _stage(document: Mapping[str, Any]) -> str | None:
    """The stage an export names: Swagger 2's basePath, or OpenAPI 3's servers' basePath variable."""
    base = document.get("basePath")
    if base is None:
        for server in document.get("servers") or []:
            variable = ((server or {}).get("variables") or {}).get("basePath") or {}
            if variable.get("default"):
                base = variable["default"]
                break
    stage = str(base or "").strip("/")
    return stage or None
