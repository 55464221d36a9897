"""Build the policy for one route: per-route mode's answer to a REQUEST event (pure).

In per-route mode API Gateway caches a policy per token, verb and resource path (the REQUEST
authorizer's identity sources, README "Per-route mode"), and re-evaluates it only on requests
routed to that same verb and resource path. So the policy must decide exactly as the rules do on

    U = {<api stage>/<verb>/<p> : p a path the resource path matches (authorizer.resource_path)}

and may say anything about other methodArns: it never meets them.

The rules' policy for the whole API (:func:`authorizer.policy.build_policy_document`) decides
every methodArn as the rules do, with Allow resources from satisfied rules and Deny resources
from the others. Dropping the resources that share no string with U changes no decision on U
(they match none of its methodArns), so the policy restricted to the rules of this verb that may
reach the resource path is exact on U.
"""

from __future__ import annotations

from typing import Any

from authorizer.arn import ApiStage
from authorizer.policy import INVOKE, MAX_RESOURCE_LENGTH, POLICY_VERSION
from authorizer.errors import PolicyTooLarge
from authorizer.resource_path import LITERAL, ResourcePath
from authorizer.rules import Rule, RuleSet

__all__ = ["build_route_policy_document", "may_reach"]


def _literal_prefix(glob: str) -> str:
    """The text before the first ``*`` or ``?`` of an IAM glob: every string it matches starts so."""
    ends = [index for index in (glob.find("*"), glob.find("?")) if index >= 0]
    return glob[: min(ends)] if ends else glob


def _resource_prefix(resource: ResourcePath) -> tuple[str, bool]:
    """The text every matching path starts with, and whether it is the whole path (no parameter)."""
    text = ""
    for kind, segment in resource.segments:
        if kind != LITERAL:
            return text + "/", False
        text += "/" + segment
    return text or "/", True


def may_reach(rule: Rule, resource: ResourcePath) -> bool:
    """False only when no path ``resource`` matches is matched by ``rule`` (a cheap necessary test)."""
    pattern = rule.route.pattern
    prefix, whole = _resource_prefix(resource)
    if whole:  # the path itself, or it with one trailing '/'
        return rule.route.glob.matches(prefix) or (prefix != "/" and rule.route.glob.matches(prefix + "/"))
    literal = _literal_prefix(pattern)
    return literal.startswith(prefix) or prefix.startswith(literal)


def _resources(rules: list[Rule], api: ApiStage, method: str) -> list[str]:
    found: dict[str, None] = {}
    for rule in rules:
        resource = api.resource(method, rule.route.pattern)
        if len(resource) > MAX_RESOURCE_LENGTH:
            raise PolicyTooLarge(
                f"rule {rule.index} ({rule.route.text}) gives a resource longer than "
                f"{MAX_RESOURCE_LENGTH} characters on this API"
            )
        found[resource] = None
    return sorted(found)


def _covering(api: ApiStage, method: str, resource: ResourcePath) -> list[str]:
    found = [api.resource(method, glob) for glob in resource.covering_globs]
    if any(len(item) > MAX_RESOURCE_LENGTH for item in found):
        raise PolicyTooLarge(
            f"resource path {resource.text} gives a resource longer than {MAX_RESOURCE_LENGTH} characters"
        )
    return found


def build_route_policy_document(
    ruleset: RuleSet, granted: frozenset[str], api: ApiStage, method: str, resource: ResourcePath
) -> dict[str, Any]:
    """The policy for a token holding ``granted`` on ``method`` ``resource`` of ``api`` (exact on U).

    Deterministic: the same inputs give byte-identical JSON.
    """
    reaching = [rule for rule in ruleset.rules if method in rule.route.methods and may_reach(rule, resource)]
    satisfied = [rule for rule in reaching if rule.satisfied_by(granted)]
    unsatisfied = [rule for rule in reaching if not rule.satisfied_by(granted)]
    deny = _resources(unsatisfied, api, method)
    denied = set(deny)
    allow = [item for item in _resources(satisfied, api, method) if item not in denied]
    statements: list[dict[str, Any]] = []
    if allow:
        statements.append({"Action": INVOKE, "Effect": "Allow", "Resource": allow})
    if deny:
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": deny})
    if not statements:  # no rule reaches the route: the rules deny all of it
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": _covering(api, method, resource)})
    return {"Version": POLICY_VERSION, "Statement": statements}
