"""Read template.yaml into the parts the tools need: APIs, routes, authorizers, functions.

Used by the rules tools (``python -m scopegate_tools check``) and the local gateway,
never by the Lambda function. The YAML is parsed with cfn-lint's CloudFormation
loader (a real CloudFormation parser: intrinsic tags such as ``!Ref``,
``!GetAtt`` and ``!Sub`` load as their ``Fn::`` forms), imported lazily so the
authorizer's artifact does not need it.

Only what SAM itself would produce is modelled: ``AWS::Serverless::Api``
resources with ``Auth`` (``DefaultAuthorizer``, Lambda TOKEN and REQUEST ``Authorizers``, their
``FunctionPayloadType`` resolved with the parameter values, as SAM resolves ``Ref`` inside
``Auth``), their
``GatewayResponses``, ``AWS::Serverless::Function`` resources with ``Globals``
merged, and their ``Api`` events (:mod:`scopegate_tools.sam_events`). What else could
create an HTTP route is recorded, not modelled, so that ``check`` can refuse it
(:mod:`scopegate_tools.cli.route_audit`): every resource's type and line, the keys of
``Globals: Api``, an API's ``DefinitionBody``/``DefinitionUri``, a function's
``FunctionUrlConfig``, and the events :mod:`scopegate_tools.sam_events` cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scopegate_tools.sam_events import IMPLICIT_API, RouteSpec, UnreadEvent, line_of, read_events

__all__ = [
    "IMPLICIT_API",
    "LOCAL_PSEUDO_PARAMETERS",
    "ApiSpec",
    "FunctionSpec",
    "ResourceSpec",
    "RouteSpec",
    "SamApplication",
    "TemplateError",
    "LambdaAuthorizerSpec",
    "UnreadEvent",
    "evaluate_conditions",
    "load_template",
    "resolve",
]

NO_VALUE = "AWS::NoValue"  # what `!Ref AWS::NoValue` resolves to: the property is left out
LOCAL_PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "scopegate-local",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::Partition": "aws",
}


class TemplateError(ValueError):
    """template.yaml cannot be read; the message names the file and line."""


# Identity keys of a REQUEST authorizer and the prefix SAM gives each in API Gateway's identitySource
IDENTITY_SOURCE_PREFIXES = (
    ("Headers", "method.request.header."),
    ("QueryStrings", "method.request.querystring."),
    ("StageVariables", "stageVariables."),
    ("Context", "context."),
)


@dataclass(frozen=True, slots=True)
class LambdaAuthorizerSpec:
    """A Lambda authorizer of an API: TOKEN (the token header) or REQUEST (its identity sources)."""

    name: str
    function: str  # logical id of the authorizer function
    payload_type: str  # "TOKEN" or "REQUEST"
    header: str  # TOKEN: the header holding the token
    validation_expression: str | None  # TOKEN only (API Gateway ignores it for REQUEST)
    reauthorize_every: int
    identity_sources: tuple[str, ...] = ()  # REQUEST: as in identitySource, in SAM's order
    line: int = 0


@dataclass(frozen=True, slots=True)
class ApiSpec:
    logical_id: str
    stage: str
    default_authorizer: str | None
    authorizers: Mapping[str, LambdaAuthorizerSpec]
    gateway_responses: Mapping[str, Any]
    definition: str | None = None  # "DefinitionBody" or "DefinitionUri" when it has one (unread routes)
    line: int = 0


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    logical_id: str
    handler: str
    code_uri: str
    runtime: str | None
    environment: Mapping[str, str]  # resolved to strings where possible
    timeout_seconds: int
    layers: tuple[str, ...] = ()  # ContentUri of each AWS::Serverless::LayerVersion it lists
    layer_ids: tuple[str, ...] = ()  # and their logical ids, in the same order
    function_url_line: int | None = None  # the line of its FunctionUrlConfig; None: no function URL


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    logical_id: str
    type: str
    line: int


@dataclass(frozen=True, slots=True)
class SamApplication:
    source: str
    parameters: Mapping[str, str]
    apis: Mapping[str, ApiSpec]
    functions: Mapping[str, FunctionSpec]
    routes: tuple[RouteSpec, ...]
    authorizer_functions: frozenset[str] = field(default_factory=frozenset)
    resources: tuple[ResourceSpec, ...] = ()  # every resource of the template, in order
    unread_events: tuple[UnreadEvent, ...] = ()  # Api/HttpApi events the reader cannot read
    globals_api: Mapping[str, int] = field(default_factory=dict)  # each key of Globals: Api -> its line

    def authorized_routes(self) -> tuple[RouteSpec, ...]:
        return tuple(route for route in self.routes if route.authorizer is not None)


def evaluate_conditions(conditions: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, bool]:
    """The template's Conditions (Fn::Equals, Not, And, Or, Condition) for these parameter values."""

    def truth(node: Any, seen: tuple[str, ...]) -> bool:
        (name, arg), = dict(node).items()
        if name == "Condition":
            if arg in seen:
                raise TemplateError(f"condition {arg} refers to itself")
            return truth(conditions[arg], (*seen, arg))
        if name == "Fn::Equals":
            left, right = (str(resolve(v, parameters)) for v in arg)
            return left == right
        if name == "Fn::Not":
            return not truth(arg[0], seen)
        if name == "Fn::And":
            return all(truth(v, seen) for v in arg)
        if name == "Fn::Or":
            return any(truth(v, seen) for v in arg)
        raise TemplateError(f"unsupported condition function {name}")

    return {name: truth(node, (name,)) for name, node in conditions.items()}


def resolve(value: Any, parameters: Mapping[str, str], conditions: Mapping[str, bool] | None = None) -> Any:
    """Resolve the intrinsics a local run can know (Ref to parameters, Sub, Join, If on Conditions)."""
    if isinstance(value, Mapping) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and conditions is not None:
            return resolve(arg[1] if conditions[arg[0]] else arg[2], parameters, conditions)
        if name == "Ref" and isinstance(arg, str):
            if arg in parameters:
                return parameters[arg]
            return LOCAL_PSEUDO_PARAMETERS.get(arg, arg)
        if name == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            scope = {**LOCAL_PSEUDO_PARAMETERS, **parameters}
            scope.update({k: str(resolve(v, parameters, conditions)) for k, v in dict(extra).items()})
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(scope.get(m.group(1), m.group(0))), text)
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            return str(arg[0]).join(str(resolve(v, parameters, conditions)) for v in arg[1])
        if name == "Fn::GetAtt":
            target = arg if isinstance(arg, str) else ".".join(arg)
            return f"<{target}>"
    if isinstance(value, Mapping):
        return {k: resolve(v, parameters, conditions) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters, conditions) for v in value]
    return value


def _logical_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return (target.split(".")[0] if isinstance(target, str) else str(target[0]))
    return None


def _lambda_authorizer(
    name: str, spec: Any, source: str, parameters: Mapping[str, str], conditions: Mapping[str, bool]
) -> LambdaAuthorizerSpec | None:
    """The Lambda authorizer ``spec`` describes, None for another kind (Cognito, IAM)."""
    if not isinstance(spec, Mapping) or "FunctionArn" not in spec:
        return None
    payload_type = resolve(spec.get("FunctionPayloadType", "TOKEN"), parameters, conditions)
    if payload_type not in ("TOKEN", "REQUEST"):
        raise TemplateError(
            f"{source}:{line_of(spec)}: FunctionPayloadType of {name} is {payload_type!r}, not TOKEN or REQUEST"
        )
    identity = resolve(spec.get("Identity") or {}, parameters, conditions)
    ttl = identity.get("ReauthorizeEvery", 300)
    try:
        ttl_seconds = int(ttl)
    except (TypeError, ValueError):
        raise TemplateError(f"{source}:{line_of(spec)}: ReauthorizeEvery of {name} is not a number") from None
    sources: list[str] = []
    if payload_type == "REQUEST":
        for key, prefix in IDENTITY_SOURCE_PREFIXES:
            values = identity.get(key) or []
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                raise TemplateError(f"{source}:{line_of(spec)}: Identity.{key} of {name} is not a list of names")
            sources += [prefix + value for value in values]
    expression = identity.get("ValidationExpression")
    return LambdaAuthorizerSpec(
        name=name,
        function=_logical_id(spec["FunctionArn"]) or "",
        payload_type=payload_type,
        header=str(identity.get("Header", "Authorization")),
        validation_expression=None if expression is None or payload_type != "TOKEN" else str(expression),
        reauthorize_every=ttl_seconds,
        identity_sources=tuple(sources),
        line=line_of(spec),
    )


def _check_allowed_values(specs: Mapping[str, Any], values: Mapping[str, str], source: str) -> None:
    """A value outside a parameter's AllowedValues is refused, as CloudFormation refuses it."""
    for name, spec in specs.items():
        allowed = spec.get("AllowedValues") if isinstance(spec, Mapping) else None
        if isinstance(allowed, list) and values.get(name) not in [str(value) for value in allowed]:
            raise TemplateError(
                f"{source}:{line_of(spec)}: parameter {name} is {values.get(name)!r}, not one of "
                f"{', '.join(str(value) for value in allowed)}"
            )


def _parse(text: str, source: str) -> Any:
    from cfnlint.decode.cfn_yaml import loads  # lazy: tools only

    try:
        return loads(text, source)
    except Exception as error:  # noqa: BLE001 - cfn-lint raises several YAML error types
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise TemplateError(f"{where}: template does not parse: {error}") from None


def load_template(path: Path, overrides: Mapping[str, str] | None = None) -> SamApplication:
    """Read a SAM template; ``overrides`` replace parameter defaults (like --parameter-overrides)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateError(f"{source}: cannot read the template ({error.strerror})") from None
    template = _parse(text, source)
    if not isinstance(template, Mapping) or not isinstance(template.get("Resources"), Mapping):
        raise TemplateError(f"{source}: template has no Resources")
    parameters = {
        name: str(spec.get("Default", "")) for name, spec in (template.get("Parameters") or {}).items()
    }
    parameters.update(overrides or {})
    _check_allowed_values(template.get("Parameters") or {}, parameters, source)
    conditions = evaluate_conditions(template.get("Conditions") or {}, parameters)
    globals_function = (template.get("Globals") or {}).get("Function") or {}
    globals_api = (template.get("Globals") or {}).get("Api") or {}
    resources = template["Resources"]

    apis: dict[str, ApiSpec] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        props = resource.get("Properties") or {}
        auth = props.get("Auth") or {}
        authorizers: dict[str, LambdaAuthorizerSpec] = {}
        for name, spec in (auth.get("Authorizers") or {}).items():
            found = _lambda_authorizer(name, spec, source, parameters, conditions)
            if found is not None:
                authorizers[name] = found
        default = auth.get("DefaultAuthorizer")
        apis[logical_id] = ApiSpec(
            logical_id=logical_id,
            stage=str(resolve(props.get("StageName", "Prod"), parameters, conditions)),
            default_authorizer=str(default) if default and default != "NONE" else None,
            authorizers=authorizers,
            gateway_responses=resolve(props.get("GatewayResponses") or {}, parameters, conditions),
            definition=next((key for key in ("DefinitionBody", "DefinitionUri") if key in props), None),
            line=line_of(logical_id),
        )

    layer_content = {
        logical_id: str(resolve((resource.get("Properties") or {}).get("ContentUri", "."), parameters, conditions))
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::LayerVersion"
    }
    functions: dict[str, FunctionSpec] = {}
    routes: list[RouteSpec] = []
    unread_events: list[UnreadEvent] = []
    default_authorizers = {logical_id: api.default_authorizer for logical_id, api in apis.items()}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**globals_function, **(resource.get("Properties") or {})}
        variables = {
            **((globals_function.get("Environment") or {}).get("Variables") or {}),
            **(((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}),
        }
        layer_ids = tuple(
            layer_id
            for layer_id in (_logical_id(layer) for layer in props.get("Layers") or [])
            if layer_id in layer_content
        )
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            handler=str(props.get("Handler", "")),
            code_uri=str(resolve(props.get("CodeUri", "."), parameters, conditions)),
            runtime=props.get("Runtime"),
            environment={
                k: str(value)
                for k, value in ((k, resolve(v, parameters, conditions)) for k, v in variables.items())
                if value != NO_VALUE
            },
            timeout_seconds=int(resolve(props.get("Timeout", 3), parameters, conditions)),
            layers=tuple(layer_content[layer_id] for layer_id in layer_ids),
            layer_ids=layer_ids,
            function_url_line=(
                line_of(props["FunctionUrlConfig"]) if props.get("FunctionUrlConfig") is not None else None
            ),
        )
        events, unread = read_events(logical_id, props.get("Events") or {}, resources, default_authorizers)
        routes += events
        unread_events += unread
    if any(route.api == IMPLICIT_API for route in routes) and IMPLICIT_API not in apis:
        # SAM's implicit API for Api events without RestApiId: stage Prod, no authorizer
        apis[IMPLICIT_API] = ApiSpec(IMPLICIT_API, "Prod", None, {}, {})
    authorizer_functions = frozenset(
        spec.function for api in apis.values() for spec in api.authorizers.values()
    )
    return SamApplication(
        source=source,
        parameters=parameters,
        apis=apis,
        functions=functions,
        routes=tuple(routes),
        authorizer_functions=authorizer_functions,
        resources=tuple(
            ResourceSpec(logical_id, str(resource.get("Type", "")), line_of(logical_id))
            for logical_id, resource in resources.items()
        ),
        unread_events=tuple(unread_events),
        globals_api={key: line_of(key) for key in globals_api},
    )
