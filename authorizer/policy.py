"""Build the IAM policy for a caller (scopes, and who it is) on one API stage (pure).

The policy covers EVERY route of the API, not just the call's methodArn, so
that API Gateway's result cache (which re-evaluates a cached policy on other
routes for the same token) gives the rules' decision everywhere:

* Allow: the resources of every non-deny rule the caller satisfies;
* Deny:  the resources of every rule it does not satisfy (every deny rule whose
  conditions name it, every deny rule without conditions);
* a deny rule whose conditions spare the caller gives neither.

API Gateway evaluates explicit Deny first, then Allow, else denies. A request
is therefore allowed exactly when some satisfied non-deny rule matches it and no
unsatisfied rule does, which is the rules' semantics (:mod:`authorizer.rules`). Resources are literal
prefix + verb + the rule's glob (``*`` crosses ``/`` in both), a ``*`` method
is expanded to each verb (a ``*`` in the verb slot would cross into paths).

That full list grows with the rules, not with what the token may do, so it is
then compacted (:mod:`authorizer.policy_compaction`): an Allow resource whose
every request is allowed by another or denied anyway, and a Deny resource that
takes away no allowed request, are dropped, each only when proved exactly on
the globs (every resource of a stage shares the literal prefix, so the proofs
work on ``VERB/path``). The compact policy allows exactly the same requests,
any method and any path, routed or not. If nothing is left (nothing is
allowed), the policy is one Deny of the whole stage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from authorizer.arn import ApiStage
from authorizer.caller import Caller
from authorizer.errors import PolicyTooLarge
from authorizer.policy_compaction import compact
from authorizer.rules import Rule, RuleSet

POLICY_VERSION = "2012-10-17"
INVOKE = "execute-api:Invoke"
MAX_RESOURCE_LENGTH = 512


def _suffixes(rules: tuple[Rule, ...], api: ApiStage) -> list[str]:
    """``VERB/path-glob`` of every resource of ``rules`` (sorted, once each), lengths checked."""
    found: dict[str, None] = {}
    room = MAX_RESOURCE_LENGTH - len(api.prefix) - 1  # for VERB/path after "<prefix>/"
    for rule in rules:
        for method in rule.route.methods:
            if len(method) + len(rule.route.pattern) > room:
                raise PolicyTooLarge(
                    f"rule {rule.index} ({rule.route.text}) gives a resource longer than "
                    f"{MAX_RESOURCE_LENGTH} characters on this API"
                )
            found[method + rule.route.pattern] = None
    return sorted(found)


def policy_resources(ruleset: RuleSet, caller: Caller, api: ApiStage) -> tuple[list[str], list[str]]:
    """The uncompacted (Allow, Deny) resource suffixes: every resource of every rule, once.

    Deny: every rule ``caller`` does not satisfy; Allow: every non-deny rule it satisfies, less
    what Deny already holds.
    """
    granting, refusing = ruleset.partition(caller)
    deny = _suffixes(refusing, api)
    denied = set(deny)
    return [suffix for suffix in _suffixes(granting, api) if suffix not in denied], deny


def policy_document(api: ApiStage, allow: Sequence[str], deny: Sequence[str]) -> dict[str, Any]:
    """The document for these resource suffixes on ``api``; with none, one Deny of the stage."""
    statements: list[dict[str, Any]] = []
    if allow:
        resources = [f"{api.prefix}/{suffix}" for suffix in allow]
        statements.append({"Action": INVOKE, "Effect": "Allow", "Resource": resources})
    if deny:
        resources = [f"{api.prefix}/{suffix}" for suffix in deny]
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": resources})
    if not statements:  # nothing allowed: say so explicitly (fail closed)
        statements.append({"Action": INVOKE, "Effect": "Deny", "Resource": [api.prefix + "/*"]})
    return {"Version": POLICY_VERSION, "Statement": statements}


def build_policy_document(ruleset: RuleSet, caller: Caller, api: ApiStage) -> dict[str, Any]:
    """The compact policy document for ``caller`` on ``api``.

    It gives the rules' decision on every request of the stage. Deterministic: the same inputs
    give byte-identical JSON. A resource over 512 characters raises :class:`PolicyTooLarge`,
    whether or not compaction would drop it.
    """
    kept = compact(*policy_resources(ruleset, caller, api))
    return policy_document(api, kept.allow, kept.deny)


def policy_size(document: dict[str, Any]) -> int:
    """Bytes of the document as compact JSON (what API Gateway receives)."""
    return len(json.dumps(document, separators=(",", ":")).encode("utf-8"))
