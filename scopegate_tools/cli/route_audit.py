"""Which routes of template.yaml scopegate guards, which are public, and which are errors (pure).

**Scopegate's authorizer** is a Lambda authorizer of an ``AWS::Serverless::Api`` whose
``FunctionArn`` is ``!GetAtt F.Arn`` for a function ``F`` of the template with Handler
``authorizer.app.lambda_handler``, and that is either a TOKEN authorizer, or a REQUEST
authorizer whose identity sources are exactly
:data:`~scopegate_tools.cli.route_problem.REQUEST_IDENTITY_SOURCES` (per-route mode: its policies cover one route, which only these sources make API Gateway's cache key; a
REQUEST authorizer cached by fewer would reuse a route's policy on other routes). The template
is read with the parameter values given (``check --parameter-overrides``), so each
``AuthorizerMode`` is audited as deployed. An ``Api`` event's route is

- **guarded** when the authorizer it gets (the event's ``Auth.Authorizer``, else its API's
  ``DefaultAuthorizer``) is scopegate's;
- **public** when the event says ``Auth: {Authorizer: NONE}`` on an API whose
  ``DefaultAuthorizer`` is scopegate's: open on purpose, on an API where leaving ``Auth`` out
  guards the route;
- a **problem** in every other case (SAM's implicit API, another API, another authorizer), and
  so is everything else that creates an HTTP route the tools do not read: ``HttpApi`` events,
  events whose ``RestApiId`` or ``Auth`` they cannot read, an API with a ``DefinitionBody`` or
  ``DefinitionUri``, ``Globals: Api: Auth``, hand-written API Gateway resources, HTTP APIs,
  function URLs. ``ApiKeyRequired`` changes nothing: an API key is not authentication.
"""

from __future__ import annotations

from dataclasses import dataclass

from scopegate_tools.cli.route_problem import AUTHORIZER_HANDLER, REQUEST_IDENTITY_SOURCES, Problem, RouteProblem
from scopegate_tools.cli.unread_routes import unread_route_problems
from scopegate_tools.sam_events import IMPLICIT_API, RouteSpec
from scopegate_tools.sam_template import ApiSpec, LambdaAuthorizerSpec, SamApplication

__all__ = [
    "AUTHORIZER_HANDLER",
    "Problem",
    "RouteAudit",
    "RouteProblem",
    "audit_routes",
    "scopegate_authorizers",
]


@dataclass(frozen=True, slots=True)
class RouteAudit:
    guarded: tuple[RouteSpec, ...]  # reach scopegate's authorizer
    public: tuple[RouteSpec, ...]  # Authorizer: NONE on an API scopegate guards by default
    problems: tuple[RouteProblem, ...]  # in template order


def _runs_scopegate(app: SamApplication, spec: LambdaAuthorizerSpec) -> bool:
    return spec.function in app.functions and app.functions[spec.function].handler == AUTHORIZER_HANDLER


def _cache_fits(spec: LambdaAuthorizerSpec) -> bool:
    """Whether API Gateway caches scopegate's policies under a key they are right for."""
    if spec.payload_type == "TOKEN":
        return True
    return len(spec.identity_sources) == len(REQUEST_IDENTITY_SOURCES) and (
        frozenset(spec.identity_sources) == REQUEST_IDENTITY_SOURCES
    )


def scopegate_authorizers(app: SamApplication, api: ApiSpec) -> frozenset[str]:
    """The names of ``api``'s authorizers that run scopegate (see the module docstring)."""
    return frozenset(
        name for name, spec in api.authorizers.items() if _runs_scopegate(app, spec) and _cache_fits(spec)
    )


def audit_routes(app: SamApplication) -> RouteAudit:
    ours = {api_id: scopegate_authorizers(app, api) for api_id, api in app.apis.items()}
    guarding = [
        api_id for api_id, api in app.apis.items()
        if api_id != IMPLICIT_API and api.definition is None and api.default_authorizer in ours[api_id]
    ]
    target = _target(guarding)
    guarded: list[RouteSpec] = []
    public: list[RouteSpec] = []
    problems: list[RouteProblem] = []
    for route in app.routes:
        api = app.apis[route.api]
        found = _route_problem(app, route, api, ours[route.api], target)
        if found is not None:
            problems.append(found)
        elif route.requested == "NONE":
            public.append(route)
        else:
            guarded.append(route)
    problems += unread_route_problems(app, target)
    problems.sort(key=lambda p: (p.line, p.subject))
    return RouteAudit(tuple(guarded), tuple(public), tuple(problems))


def _target(guarding: list[str]) -> str:
    """What a route's RestApiId should say to be guarded."""
    if guarding:
        return " or ".join(f"!Ref {api_id}" for api_id in guarding)
    return (
        "!Ref <an AWS::Serverless::Api whose DefaultAuthorizer is a TOKEN (or per-route REQUEST) authorizer with FunctionArn "
        f"!GetAtt <the function with Handler {AUTHORIZER_HANDLER}>.Arn>"
    )


def _route_problem(
    app: SamApplication, route: RouteSpec, api: ApiSpec, ours: frozenset[str], target: str
) -> RouteProblem | None:
    """None when ``route`` reaches scopegate, or is declared public on an API scopegate guards."""

    def problem(kind: Problem, message: str) -> RouteProblem:
        text = f"{route.function} event {route.event} ({route.text}) {message}"
        return RouteProblem(kind, route.function, route.event, route.line, text)

    default = api.default_authorizer
    if route.api == IMPLICIT_API:
        return problem(
            Problem.IMPLICIT_API,
            "is on SAM's implicit API (the event has no RestApiId), which no authorizer guards: "
            f"anyone can call it; add RestApiId: {target}, and Auth: {{Authorizer: NONE}} only "
            "if it must be public",
        )
    if api.definition is not None:
        return problem(
            Problem.API_DEFINITION,
            f"is on {api.logical_id}, whose routes and authorizers come from its {api.definition}, "
            f"which the tools do not read; remove the {api.definition} from {api.logical_id} (SAM "
            f"then builds the API from its Api events) or use RestApiId: {target}",
        )
    if route.requested == "NONE":
        if default in ours:
            return None
        return problem(
            Problem.PUBLIC_ON_UNGUARDED_API,
            f"declares Auth: {{Authorizer: NONE}} on {api.logical_id}, {_default_text(app, api)}: "
            "a public route must be on an API that scopegate guards by default, where a route "
            f"without Auth is guarded; use RestApiId: {target}",
        )
    if route.requested:
        if route.requested in ours:
            return None
        if default in ours:
            fix = (
                f"remove Authorizer so that the API's DefaultAuthorizer {default} (scopegate) guards "
                "it, or declare it public with Auth: {Authorizer: NONE}"
            )
        elif ours:
            fix = f"use Authorizer: {min(ours)} (scopegate)"
        else:
            fix = f"use RestApiId: {target} without Authorizer"
        return problem(
            Problem.OTHER_AUTHORIZER,
            f"asks for Auth: {{Authorizer: {route.requested}}}, "
            f"{_authorizer_text(app, api, route.requested)}: rules.yaml does not apply to it; {fix}",
        )
    if default in ours:
        return None
    fix = (
        f"set Auth: DefaultAuthorizer: {min(ours)} on {api.logical_id}, or use RestApiId: {target}"
        if ours
        else f"use RestApiId: {target}"
    )
    consequence = "anyone can call it" if default is None else "rules.yaml does not apply to it"
    return problem(
        Problem.UNGUARDED_API,
        f"is on {api.logical_id}, {_default_text(app, api)}: {consequence}; {fix}",
    )


def _default_text(app: SamApplication, api: ApiSpec) -> str:
    if api.default_authorizer is None:
        return "which has no DefaultAuthorizer"
    what = _authorizer_text(app, api, api.default_authorizer)
    return f"whose DefaultAuthorizer {api.default_authorizer} is {what}"


def _authorizer_text(app: SamApplication, api: ApiSpec, name: str) -> str:
    """What authorizer ``name`` of ``api`` is, when it is not scopegate's."""
    if name == "AWS_IAM":
        return "IAM authorization, not scopegate"
    spec = api.authorizers.get(name)
    if spec is None:
        return f"not a Lambda authorizer of {api.logical_id}, so not scopegate"
    kind = f"a {spec.payload_type} authorizer"
    function = app.functions.get(spec.function)
    if function is None:
        return (
            f"{kind} whose FunctionArn is not !GetAtt of a function of this template, "
            "so the tools cannot tell it is scopegate"
        )
    if function.handler != AUTHORIZER_HANDLER:
        return (
            f"{kind} on {function.logical_id}, whose Handler is {function.handler!r}, "
            f"not scopegate's {AUTHORIZER_HANDLER}"
        )
    found = ", ".join(spec.identity_sources) or "none"
    wanted = ", ".join(sorted(REQUEST_IDENTITY_SOURCES))
    return (
        f"{kind} on scopegate's {function.logical_id} whose identity sources are {found}, not exactly "
        f"{wanted}: API Gateway would reuse the policy of one route on others; set Identity: "
        "{Headers: [Authorization], Context: [httpMethod, resourcePath]}"
    )
