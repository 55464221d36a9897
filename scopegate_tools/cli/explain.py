"""``explain``: what a caller (scopes, client, org, issuer) may call, or what one route takes (pure but for token decoding)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from scopegate_tools.cli.coverage import RouteView, requirement_of
from scopegate_tools.cli.decision_tables import identity_text
from scopegate_tools.cli.output import table
from scopegate_tools.cli.template_routes import Request, TemplateRoute, route_of
from scopegate_tools.cli.why import missing_of, why
from authorizer.caller import Caller
from authorizer.config import TokenSettings
from authorizer.errors import InvalidToken
from authorizer.fingerprint import fingerprint
from authorizer.route import HTTP_METHODS
from authorizer.rules import RuleSet
from authorizer.tokens import decompose_unverified_jwt, read_scopes

_ANY_SHAPE = TokenSettings(
    issuer="",
    audiences=(),
    algorithms=("RS256", "PS256"),
    profiles=("auth0", "rfc9068"),
    clock_skew_seconds=0,
    max_token_bytes=65536,
)


class ExplainInputError(ValueError):
    """A --token, --scopes or route argument that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class GrantedScopes:
    scopes: frozenset[str]
    origin: str  # how they were obtained, said in the output
    client_id: str | None = None  # --client, or the token's azp / client_id
    org_id: str | None = None  # --org, or the token's org_id
    issuer: str | None = None  # --issuer, or the token's iss

    @property
    def caller(self) -> Caller:
        """The caller these scopes and names stand for, as the rules see it."""
        return Caller(self.scopes, self.client_id, self.org_id, self.issuer)

    @property
    def identity(self) -> str:
        return identity_text(self.client_id, self.org_id, self.issuer)

    def named(self, client_id: str | None, org_id: str | None, issuer: str | None) -> GrantedScopes:
        """The same scopes, for the caller ``--client``, ``--org`` and ``--issuer`` name."""
        return replace(self, client_id=client_id, org_id=org_id, issuer=issuer)


def scopes_from_text(text: str) -> GrantedScopes:
    return GrantedScopes(frozenset(text.split()), "from --scopes")


def _claim(payload: Any, name: str) -> str | None:
    value = payload.get(name)
    return value if isinstance(value, str) and value else None


def scopes_from_token(token: str) -> GrantedScopes:
    """The token's scopes, decoded WITHOUT verifying it; the token itself is never kept.

    A pasted ``Authorization`` value is accepted too: its scheme is case-insensitive (RFC 7235).
    """
    token = token.strip()
    scheme, _, rest = token.partition(" ")
    if scheme.lower() == "bearer":
        token = rest.strip()
    token_fingerprint = fingerprint(token)
    try:
        unverified = decompose_unverified_jwt(token, _ANY_SHAPE)
        scopes = read_scopes(unverified.payload)
    except InvalidToken as error:
        raise ExplainInputError(
            f"the token does not decode ({error}); the authorizer would refuse it (401)"
        ) from None
    payload = unverified.payload
    return GrantedScopes(
        frozenset(scopes),
        f"from --token {token_fingerprint} (SHA-256 prefix), decoded WITHOUT verification: "
        "signature, issuer, audience and expiry were not checked",
        _claim(payload, "client_id" if unverified.profile == "rfc9068" else "azp"),
        _claim(payload, "org_id"),
        _claim(payload, "iss"),
    )


def parse_target(text: str, routes: Sequence[TemplateRoute]) -> TemplateRoute | Request:
    """``DELETE /orders/42`` (a request) or ``GET /orders/{id}`` (a template route)."""
    fields = text.split()
    if len(fields) != 2 or not fields[1].startswith("/"):
        raise ExplainInputError(f"route {text!r} must be 'METHOD /path', e.g. 'DELETE /orders/42'")
    method, path = fields[0].upper(), fields[1]
    for route in routes:
        if (route.method, route.path) == (method, path):
            return route
    if method not in HTTP_METHODS:
        raise ExplainInputError(f"method {fields[0]!r} is not one of {', '.join(HTTP_METHODS)}")
    return Request(method, path)


def explain_scopes(ruleset: RuleSet, views: Sequence[RouteView], granted: GrantedScopes) -> dict[str, Any]:
    routes = []
    for view in views:
        decisions = []
        for request in view.requests:
            decision = ruleset.decide(request.method, request.path, granted.caller)
            decisions.append(
                {
                    "request": request.text,
                    "allowed": decision.allowed,
                    "reason": decision.reason,
                    "rules": list(decision.matched_ids),
                    "missing_scopes": list(decision.missing_scopes),
                    "missing": missing_of(decision).as_json(),
                    "why": why(decision),
                }
            )
        verdicts = {d["allowed"] for d in decisions}
        routes.append(
            {
                "route": view.route.text,
                "witnesses": [request.text for request in view.witnesses],
                "decision": "allowed"
                if verdicts == {True}
                else "denied"
                if verdicts == {False}
                else "partly allowed",
                "requests": decisions,
            }
        )
    return {"scopes": sorted(granted.scopes), "scopes_origin": granted.origin, **_identity_json(granted), "routes": routes}


def _identity_json(granted: GrantedScopes) -> dict[str, str | None]:
    return {"client_id": granted.client_id, "org_id": granted.org_id, "issuer": granted.issuer}


def _caller_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"Scopes: {' '.join(result['scopes']) or '(none)'} ({result['scopes_origin']})"]
    identity = identity_text(result["client_id"], result["org_id"], result["issuer"])
    if identity:
        lines.append(f"Caller: {identity}")
    return lines


def render_scopes(result: dict[str, Any]) -> str:
    lines = [*_caller_lines(result), ""]
    rows = []
    for route in result["routes"]:
        distinct: dict[tuple[bool, str], dict[str, Any]] = {}
        for decision in route["requests"]:
            distinct.setdefault((decision["allowed"], decision["why"]), decision)
        if len(distinct) == 1:
            (decision,) = distinct.values()
            rows.append([route["route"], "every request", route["decision"], decision["why"]])
            continue
        for position, decision in enumerate(distinct.values()):
            label = decision["request"]
            rows.append(
                [
                    route["route"] if position == 0 else "",
                    label if label in route["witnesses"] else f"e.g. {label}",
                    "allowed" if decision["allowed"] else "denied",
                    decision["why"],
                ]
            )
    lines += table(["ROUTE", "REQUESTS", "DECISION", "WHY"], rows)
    return "\n".join(lines) + "\n"


def explain_target(
    ruleset: RuleSet,
    views: Sequence[RouteView],
    public: Sequence[TemplateRoute],
    target: TemplateRoute | Request,
    granted: GrantedScopes | None,
) -> dict[str, Any]:
    routes = [view.route for view in views]
    applies = True
    if isinstance(target, TemplateRoute):
        view = next(v for v in views if v.route == target)
        examples = [request for request, _ in view.groups()]
        where = f"template route {target.text} (line {target.line})"
    else:
        route = route_of(target, routes)
        examples = [target]
        if route is not None:
            where = f"route {route.text} of the template (line {route.line})"
        elif route_of(target, public) is not None:
            where, applies = "a public route (Authorizer: NONE): the authorizer never sees it", False
        else:
            where = "no route of the template: API Gateway answers it without the authorizer"
            applies = False
    witnesses = view.witnesses if isinstance(target, TemplateRoute) else ()
    cases = []
    for request in examples:
        rules = ruleset.matching(request.method, request.path)
        if not isinstance(target, TemplateRoute) or request in witnesses:
            label = request.text
        else:
            label = f"{'other requests' if witnesses else 'every request'}, e.g. {request.text}"
        case: dict[str, Any] = {
            "request": request.text,
            "label": label,
            "rules": [
                {
                    "index": r.index,
                    "id": r.id,
                    "line": r.line,
                    "route": r.route.text,
                    "requirement": r.requirement,
                }
                for r in rules
            ],
            "requirement": requirement_of(rules),
        }
        if granted is not None:
            decision = ruleset.decide(request.method, request.path, granted.caller)
            case["decision"] = {
                "allowed": decision.allowed,
                "reason": decision.reason,
                "missing": missing_of(decision).as_json(),
                "why": why(decision),
            }
        cases.append(case)
    result: dict[str, Any] = {
        "target": target.text,
        "goes_to": where,
        "rules_apply": applies,
        "requests": cases,
    }
    if granted is not None:
        result["scopes"] = sorted(granted.scopes)
        result["scopes_origin"] = granted.origin
        result.update(_identity_json(granted))
    return result


def render_target(result: dict[str, Any], source: str) -> str:
    lines = [f"{result['target']}: {result['goes_to']}"]
    if "scopes" in result:
        lines += _caller_lines(result)
    for case in result["requests"]:
        lines.append("")
        if case["request"] != result["target"]:
            lines.append(f"{case['label']}:")
        if not result["rules_apply"]:
            matching = ", ".join(f"rule {rule['index']} ({rule['route']})" for rule in case["rules"])
            lines.append(f"  the rules are not consulted (matching rules: {matching or 'none'})")
            continue
        if not case["rules"]:
            lines.append("  no rule matches: denied to every token; add a rule to allow it")
        else:
            lines.append("  matching rules:")
            for rule in case["rules"]:
                lines.append(
                    f"    {source}:{rule['line']}: rule {rule['index']} ({rule['route']}) needs {rule['requirement']}"
                )
            lines.append(f"  to be allowed, a token needs: {case['requirement']}")
        if "decision" in case:
            verdict = "allowed" if case["decision"]["allowed"] else "denied"
            lines.append(f"  with these scopes: {verdict} ({case['decision']['why']})")
    return "\n".join(lines) + "\n"
