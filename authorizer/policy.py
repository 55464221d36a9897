"""Build the IAM policy for a scope set on one API stage (pure).

The policy covers EVERY route of the API, not just the call's methodArn, so
that API Gateway's result cache (which re-evaluates a cached policy on other
routes for the same token) gives the rules' decision everywhere:

* Allow: the resources of every rule the scopes satisfy;
* Deny:  the resources of every rule they do not satisfy (and every deny rule).

API Gateway evaluates explicit Deny first, then Allow, else denies. A request
is therefore allowed exactly when some satisfied rule matches it and no
unsatisfied rule does, which is the rules' semantics. Resources are literal
prefix + verb + the rule's glob (``*`` crosses ``/`` in both), a ``*`` method
is expanded to each verb (a ``*`` in the verb slot would cross into paths).
"""

from __future__ import annotations

import json
from typing import Any

from authorizer.arn import ApiStage
from authorizer.errors import PolicyTooLarge
from authorizer.rules import Rule, RuleSet

POLICY_VERSION = "2012-10-17"
INVOKE = "execute-api:Invoke"
MAX_RESOURCE_LENGTH = 512


def _resources(rules: tuple[Rule, ...], api: ApiStage) -> list[str]:
    found: dict[str, None] = {}
    for rule in rules:
        for method in rule.route.methods:
            resource = api.resource(method, rule.route.pattern)
            if len(resource) > MAX_RESOURCE_LENGTH:
                raise PolicyTooLarge(
                    f"rule {rule.index} ({rule.route.text}) gives a resource longer than "
                    f"{MAX_RESOURCE_LENGTH} characters on this API"
                )
            found[resource] = None
    return sorted(found)


def build_policy_document(ruleset: RuleSet, granted: frozenset[str], api: ApiStage) -> dict[str, Any]:
    """The policy document for a token holding ``granted`` on ``api``.

    Deterministic: the same inputs give byte-identical JSON.
    """
    satisfied, unsatisfied = ruleset.partition(granted)
    deny = _resources(unsatisfied, api)
    denied = set(deny)
    allow = [resource for resource in _resources(satisfied, api) if resource not in denied]
    statements: list[dict[str, Any]] = []
    if allow:
        statements.append({"Action": INVOKE, "Effect": "Allow", "Resource": allow})
    if deny:
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": deny})
    if not statements:  # unreachable with a non-empty rule set; fail closed anyway
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": [api.prefix + "/*"]})
    return {"Version": POLICY_VERSION, "Statement": statements}


def policy_size(document: dict[str, Any]) -> int:
    """Bytes of the document as compact JSON (what API Gateway receives)."""
    return len(json.dumps(document, separators=(",", ":")).encode("utf-8"))
