"""Which methods of an OpenAPI document or CloudFormation template scopegate guards (pure).

The same rules as :mod:`scopegate_tools.cli.route_audit` for SAM templates. **Scopegate's
authorizer** is a Lambda authorizer whose function is scopegate's, in a shape scopegate serves:
TOKEN (any header), or REQUEST with exactly the identity sources of
:data:`~scopegate_tools.cli.route_problem.REQUEST_IDENTITY_SOURCES`. Its function is scopegate's
when it is a function of the same template with Handler ``authorizer.app.lambda_handler``, or else
when ``--authorizer-function`` names it (its name, its ARN, or the logical id in ``${Id.Arn}``):
an ARN shows no code, so without that option the tools refuse rather than guess.

A method is **guarded** when it asks for scopegate's authorizer, **public** only when its source
declares it so on purpose (:attr:`~scopegate_tools.rest_api.Source.public_declaration`), and a
**problem** otherwise: no authorizer, IAM, Cognito, another Lambda authorizer, one the tools cannot
tell, several at once, or anything the reader could not read.
"""

from __future__ import annotations

from scopegate_tools.cli.route_audit import RouteAudit
from scopegate_tools.cli.route_problem import (
    AUTHORIZER_HANDLER,
    REQUEST_IDENTITY_SOURCES,
    Problem,
    RouteProblem,
)
from scopegate_tools.rest_api import AuthorizerSpec, MethodSpec, RestApiDocument, Source
from scopegate_tools.sam_events import RouteSpec

OPTION = "--authorizer-function"


def recognise(authorizer: AuthorizerSpec, authorizer_function: str | None) -> tuple[bool | None, str]:
    """(True, "") for scopegate's authorizer; (False, what it is) for another; (None, why) when unknown."""
    kind, function = authorizer.kind, authorizer.function
    if kind == "AWS_IAM":
        return False, "IAM authorization, not scopegate"
    if kind == "COGNITO_USER_POOLS":
        return False, "a Cognito user pool authorizer, not scopegate"
    if function is None or not function.names:
        return None, (
            f"a {kind or 'Lambda'} authorizer whose function the tools cannot read from its URI, so they "
            "cannot tell it is scopegate; write the URI as an ARN or Fn::GetAtt <function>.Arn"
        )
    if function.handler is not None:
        if function.handler != AUTHORIZER_HANDLER:
            return False, (
                f"a {kind} authorizer on {function.text}, whose Handler is {function.handler!r}, "
                f"not scopegate's {AUTHORIZER_HANDLER}"
            )
    elif authorizer_function is None:
        return None, (
            f"a {kind} authorizer on {function.text}; the tools cannot see that function's code, so "
            f"they cannot tell it is scopegate: name scopegate's function with {OPTION} NAME "
            "(its name, ARN or logical id)"
        )
    elif authorizer_function not in function.names:
        return False, f"a {kind} authorizer on {function.text}, not the function {OPTION} names ({authorizer_function})"
    if kind == "TOKEN":
        return True, ""
    if kind == "REQUEST":
        if set(authorizer.identity_sources) == REQUEST_IDENTITY_SOURCES:
            return True, ""
        return False, (
            f"a REQUEST authorizer on scopegate's function with identity sources "
            f"{', '.join(authorizer.identity_sources) or 'none'}; scopegate's REQUEST mode needs exactly "
            f"{', '.join(sorted(REQUEST_IDENTITY_SOURCES))} (its cache key must hold the route)"
        )
    return False, f"a {kind} authorizer on scopegate's function; scopegate serves TOKEN and REQUEST authorizers"


def audit_api(document: RestApiDocument, authorizer_function: str | None = None) -> RouteAudit:
    """Guarded, public and problem methods of ``document``, in source order."""
    verdicts = {name: recognise(spec, authorizer_function) for name, spec in document.authorizers.items()}
    ours = sorted(name for name, (verdict, _) in verdicts.items() if verdict)
    guarded: list[RouteSpec] = []
    public: list[RouteSpec] = []
    problems: list[RouteProblem] = []
    for method in document.methods:
        found = _problem(document, method, verdicts, ours)
        route = RouteSpec(method.api, method.method, method.path, method.where, "-",
                          method.authorizers[0] if method.authorizers else None, method.line)
        if found is not None:
            problems.append(found)
        elif method.public:
            public.append(route)
        else:
            guarded.append(route)
    problems += [
        RouteProblem(Problem.HTTP_API if unread.http_api else Problem.UNREAD_RESOURCE, unread.subject, None,
                     unread.line, f"{unread.subject} {unread.message}")
        for unread in document.unread
    ]
    problems.sort(key=lambda p: (p.line, p.subject))
    return RouteAudit(tuple(guarded), tuple(public), tuple(problems))


def _problem(
    document: RestApiDocument, method: MethodSpec, verdicts: dict[str, tuple[bool | None, str]], ours: list[str]
) -> RouteProblem | None:
    def problem(kind: Problem, message: str) -> RouteProblem:
        return RouteProblem(kind, method.where, None, method.line, f"{method.where} ({method.text}) {message}")

    guard, declare_public = _fixes(document.source, ours)
    if method.unread is not None:
        return problem(Problem.UNREAD_METHOD, f"cannot be read: {method.unread}; {guard}")
    if method.public:
        if method.authorization == "NONE" and not method.authorizers:
            return None
        return problem(Problem.UNREAD_METHOD, (
            f"is declared public but has AuthorizationType: {method.authorization}: remove one of the two"
        ))
    if method.authorization == "AWS_IAM" and not method.authorizers:
        return problem(Problem.OTHER_AUTHORIZER, f"uses IAM authorization, not scopegate: rules.yaml does not apply to it; {guard}")
    if not method.authorizers:
        return problem(Problem.UNGUARDED_API, f"has no authorizer: anyone can call it; {guard}, or, {declare_public}")
    name = method.authorizers[0]
    if name not in verdicts:
        return problem(Problem.UNREAD_METHOD, f"asks for the authorizer {name}, which the {document.source.label} does not define; {guard}")
    verdict, what = verdicts[name]
    if verdict is None:
        return problem(Problem.UNKNOWN_AUTHORIZER, f"asks for {name}, {what}")
    if not verdict:
        return problem(Problem.OTHER_AUTHORIZER, f"asks for {name}, {what}: rules.yaml does not apply to it; {guard}")
    return None


def _fixes(source: Source, ours: list[str]) -> tuple[str, str]:
    """How to guard a method with scopegate, and how to declare it public, in ``source``'s terms."""
    if source is Source.OPENAPI:
        scheme = " or ".join(ours) or "<a security scheme whose x-amazon-apigateway-authorizer runs scopegate>"
        return (
            f"give it security: [{{{scheme}: []}}] (or the whole document)",
            "if it must be public, write security: [] on it",
        )
    authorizer = " or ".join(f"!Ref {name}" for name in ours) or "<an AWS::ApiGateway::Authorizer running scopegate>"
    return (
        f"set AuthorizationType: CUSTOM and AuthorizerId: {authorizer} (CDK: authorizer: scopegate's "
        "TokenAuthorizer or RequestAuthorizer)",
        "if it must be public, add Metadata: {scopegate: public} to it (CDK: (method.node.defaultChild "
        "as CfnResource).addMetadata('scopegate', 'public'))",
    )
