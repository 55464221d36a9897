"""Build the policy for one route: per-route mode's answer to a REQUEST event (pure).

In per-route mode API Gateway caches a policy per token, verb and resource path (the REQUEST
authorizer's identity sources, README "Per-route mode"), and re-evaluates it only on requests
routed to that same verb and resource path. So the policy must decide exactly as the rules do on

    U = {<api stage>/<verb><p> : p a path the resource path matches (authorizer.resource_path)}

and may say anything about other methodArns: it never meets them. Its size then follows the
route, not the API.

How. Every methodArn of U starts with the same ``<api stage>/<verb>``, so the questions are about
paths: ``L``, the paths the resource path matches, is a :class:`~authorizer.glob_language.PathGlob`
(:func:`route_language`), and each rule of the verb is its path glob. The rules allow a path
exactly when a satisfied non-deny rule matches it and no unsatisfied one does (as for the whole-API
policy, :mod:`authorizer.policy`). Cheapest exact shape first, each proved with
:func:`~authorizer.glob_language.find_string`:

1. no path of ``L`` is allowed -> one Deny of the route's covering globs (the resource path with
   each parameter a ``*``; and with a trailing ``/`` when it ends with a literal);
2. every path of ``L`` is allowed -> one Allow of those globs;
3. otherwise, the rules' resources of this verb that may reach ``L`` (:func:`may_reach`), compacted
   within ``L`` (:func:`~authorizer.policy_compaction.compact`): exact on ``L``.

A question the search cannot settle within its bound counts as "mixed", and the third shape is
exact whatever the answers, so doubt only costs size. The covering globs match every path of
``L`` (and others, outside ``U``: they are never evaluated there), so shapes 1 and 2 are exact.
"""

from __future__ import annotations

from typing import Any, cast

from authorizer.arn import ApiStage
from authorizer.caller import Caller
from authorizer.errors import PolicyTooLarge
from authorizer.glob_language import Outcome, PathClass, PathGlob, find_string
from authorizer.policy import MAX_RESOURCE_LENGTH, policy_document
from authorizer.policy_compaction import compact
from authorizer.resource_path import GREEDY, LITERAL, ResourcePath
from authorizer.rules import Rule, RuleSet

__all__ = ["build_route_policy_document", "may_reach", "reaching_rules", "route_language"]

_SEGMENT = (PathClass.SEGMENT_CHAR, PathClass.SEGMENT_RUN)  # one or more characters, none '/'


def route_language(resource: ResourcePath) -> PathGlob:
    """The paths ``resource`` matches (:meth:`ResourcePath.match`), as a path glob.

    >>> from authorizer.glob_language import matches
    >>> from authorizer.resource_path import parse_resource_path
    >>> [matches(route_language(parse_resource_path("/orders/{id}")), p) for p in ("/orders/7", "/orders/7/x")]
    [True, False]
    """
    if not resource.segments:
        return PathGlob(("/",))
    parts: list[str | PathClass] = []
    for kind, text in resource.segments:
        if kind == LITERAL:
            parts.append("/" + text)  # a literal holds no '*' or '?' (resource_path refuses them)
        elif kind == GREEDY:  # the rest: its first character not '/'
            parts += ["/", PathClass.SEGMENT_CHAR, "*"]
        else:
            parts += ["/", *_SEGMENT]
    if resource.segments[-1].kind != GREEDY:
        parts.append(PathClass.OPTIONAL_SLASH)
    return PathGlob(tuple(parts))


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
    prefix, whole = _resource_prefix(resource)
    if whole:  # the path itself, or it with one trailing '/'
        return rule.route.glob.matches(prefix) or (prefix != "/" and rule.route.glob.matches(prefix + "/"))
    literal = _literal_prefix(rule.route.pattern)
    return literal.startswith(prefix) or prefix.startswith(literal)


def reaching_rules(ruleset: RuleSet, method: str, resource: ResourcePath) -> list[Rule]:
    """The rules of ``method`` that may match a path of ``resource``, in file order.

    The rule set's index (:mod:`authorizer.route_index`) gives the rules that can match a path
    with the resource path's first segment, when that is a literal; :func:`may_reach` then
    keeps those whose literal start fits the route's.
    """
    first = resource.segments[0] if resource.segments else None
    if first is None or first.kind == LITERAL:
        # the index holds the rule set's own rules: each one a Rule
        candidates = cast(tuple[Rule, ...], ruleset.index.candidates(method, "/" + (first.text if first else "")))
    else:
        candidates = tuple(rule for rule in ruleset.rules if method in rule.route.methods)
    return [rule for rule in candidates if may_reach(rule, resource)]


def _suffixes(method: str, globs: list[str], api: ApiStage) -> list[str]:
    """``VERB<glob>`` of each glob, lengths checked against API Gateway's 512 characters."""
    room = MAX_RESOURCE_LENGTH - len(api.prefix) - 1
    for glob in globs:
        if len(method) + len(glob) > room:
            raise PolicyTooLarge(
                f"{method} {glob} gives a resource longer than {MAX_RESOURCE_LENGTH} characters on this API"
            )
    return [method + glob for glob in globs]


def _everywhere(language: PathGlob, allow: list[str], deny: list[str]) -> bool:
    """Proved: every path of ``language`` is in some Allow glob and in no Deny glob."""
    if find_string([language], none_of=allow).outcome is not Outcome.NONE:
        return False
    return not deny or find_string([language], any_of=deny).outcome is Outcome.NONE


def build_route_policy_document(
    ruleset: RuleSet, caller: Caller, api: ApiStage, method: str, resource: ResourcePath
) -> dict[str, Any]:
    """The policy for ``caller`` on ``method`` ``resource`` of ``api`` (exact on U).

    Deterministic: the same inputs give byte-identical JSON.
    """
    reaching = reaching_rules(ruleset, method, resource)
    deny = sorted({rule.route.pattern for rule in reaching if not rule.satisfied_by(caller)})
    denied = set(deny)
    # a deny rule whose conditions spare the caller grants nothing (authorizer.rules): Allow holds
    # only the satisfied non-deny rules
    allow = sorted({rule.route.pattern for rule in reaching if not rule.deny and rule.satisfied_by(caller)} - denied)
    _suffixes(method, allow + deny, api)  # a rule too long for a resource fails whatever the shape
    covering = _suffixes(method, list(resource.covering_globs), api)
    language = route_language(resource)
    if not allow or find_string([language], any_of=allow, none_of=deny).outcome is Outcome.NONE:
        return policy_document(api, [], covering)
    if _everywhere(language, allow, deny):
        return policy_document(api, covering, [])
    kept = compact(allow, deny, within=language)
    if not kept.allow:  # nothing of the route is allowed after all
        return policy_document(api, [], covering)
    return policy_document(api, _suffixes(method, kept.allow, api), _suffixes(method, kept.deny, api))
