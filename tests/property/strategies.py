"""Hypothesis strategies: rules.yaml texts, scope sets, callers and request paths.

Rules are generated as the TEXT of a rules file and compiled with
``authorizer.rules.compile_rules``, so the properties cover the loader too.
Request paths are drawn both at random (with ``:``, ``%``, ``+``, ``.``,
unicode, empty segments, the root) and from the rules' own patterns with
their wildcards filled in, so that most requests match some rule; verbs are
the seven HTTP methods and a few others (which no rule matches, ``*``
included). With ``conditions=True`` rules also name clients, orgs and issuers
(deny rules too, some repeating another rule's route), and :func:`callers` draws
callers from the same pools plus values no rule can name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

from authorizer.arn import ApiStage
from authorizer.caller import Caller
from authorizer.route import HTTP_METHODS, parse_route
from authorizer.rules import RuleSet, compile_rules

API = ApiStage("aws", "eu-west-1", "123456789012", "abc123", "Dev")
SCOPE_POOL = ("read:a", "write:a", "read:b", "admin", "refund:a", "x")
CLIENT_POOL = ("billing", "partner", "reporter")
ORG_POOL = ("org_acme", "org_globex")
ISSUER_POOL = ("https://a.example/", "https://b.example/")

RULE_LITERALS = ("a", "b", "orders", "1", "v1", "x.y", "a:b", "%41", "+", "~", "-")
RULE_WILDCARDS = ("*", "?", "{id}", "{proxy+}", "a*", "v?", "*b", "?*", "**", "{id}.x")
OTHER_VERBS = ("CONNECT", "TRACE", "ANY", "G", "GETS")  # valid in a methodArn, in no rule
REQUEST_EXTRAS = ("", ":", "%", "%2F", "+", ".", "..", "é", "日本", "a b", "*", "?", "{id}")


@dataclass(frozen=True)
class GeneratedRules:
    text: str
    ruleset: RuleSet


rule_paths = st.lists(
    st.one_of(st.sampled_from(RULE_LITERALS), st.sampled_from(RULE_WILDCARDS), st.just("")),
    max_size=4,
).map(lambda segments: "/" + "/".join(segments))

scope_lists = st.lists(st.sampled_from(SCOPE_POOL), min_size=1, max_size=3, unique=True)

requirements = st.one_of(
    st.fixed_dictionaries({"scopes": scope_lists}),
    st.fixed_dictionaries({"any_scopes": scope_lists}),
    st.fixed_dictionaries({"scopes": scope_lists, "any_scopes": scope_lists}),
    st.just({"authenticated": True}),
    st.just({"deny": True}),
)

routes = st.tuples(st.sampled_from(("*",) + HTTP_METHODS), rule_paths).map(" ".join)


def _pool_subset(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True)


condition_sets = st.fixed_dictionaries(
    {}, optional={"clients": _pool_subset(CLIENT_POOL), "orgs": _pool_subset(ORG_POOL), "issuers": _pool_subset(ISSUER_POOL)}
)
named_condition_sets = condition_sets.filter(bool)  # at least one list


def _rule_text(route: str, requirement: dict[str, object], rule_id: str | None = None) -> str:
    lines = [f"  - route: {json.dumps(route)}"] if rule_id is None else [f"  - id: {rule_id}", f"    route: {json.dumps(route)}"]
    for key, value in requirement.items():
        rendered = "true" if value is True else "[" + ", ".join(json.dumps(s) for s in value) + "]"
        lines.append(f"    {key}: {rendered}")
    return "\n".join(lines)


def _deny_key(route: str, requirement: dict[str, object]) -> object:
    lists = frozenset((key, frozenset(value)) for key, value in requirement.items() if key in ("clients", "orgs", "issuers"))  # type: ignore[arg-type]
    return (parse_route(route).key, lists) if requirement.get("deny") and lists else None


@st.composite
def rules_files(
    draw: st.DrawFn, max_rules: int = 8, route_strategy: st.SearchStrategy[str] = routes, conditions: bool = False
) -> GeneratedRules:
    """A valid rules.yaml text (routes unique as the loader requires) and its RuleSet.

    With ``conditions``, each rule may carry clients, orgs and issuers, and a few deny rules with
    conditions are added on routes other rules have (the one way a route may repeat).
    """
    chosen = draw(
        st.lists(route_strategy, min_size=1, max_size=max_rules, unique_by=lambda r: parse_route(r).key)
    )
    body = []
    taken: set[object] = set()  # (route, conditions) of each deny rule with conditions: at most once
    for route in chosen:
        requirement = dict(draw(requirements))
        if conditions:
            requirement.update(draw(condition_sets))
            taken.add(_deny_key(route, requirement))
        body.append(_rule_text(route, requirement))
    if conditions:
        for route, names in draw(st.lists(st.tuples(st.sampled_from(chosen), named_condition_sets), max_size=3)):
            key = _deny_key(route, {"deny": True, **names})
            if key not in taken:
                taken.add(key)
                body.append(_rule_text(route, {"deny": True, **names}, rule_id=f"deny-{len(taken)}"))
    text = "version: 1\nrules:\n" + "\n".join(body) + "\n"
    return GeneratedRules(text, compile_rules(text, "generated.yaml"))


scope_sets = st.frozensets(st.sampled_from(SCOPE_POOL + ("unknown:scope",)))
callers = st.builds(
    Caller,
    scopes=scope_sets,
    client_id=st.sampled_from(CLIENT_POOL + ("stranger",)),
    organization=st.sampled_from((*ORG_POOL, "org_stranger", None)),
    issuer=st.sampled_from((*ISSUER_POOL, "https://stranger.example/")),
)

random_segments = st.one_of(
    st.sampled_from(RULE_LITERALS + REQUEST_EXTRAS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), max_size=6),
)
random_paths = st.builds(
    lambda segments, slash: "/" + "/".join(segments) + ("/" if slash and segments else ""),
    st.lists(random_segments, max_size=5),
    st.booleans(),
)
fillers = st.one_of(st.sampled_from(("", "x", "1", "/", "a/b", ":", "%", "é", "/orders/")), st.text(max_size=4))


@st.composite
def paths_like(draw: st.DrawFn, ruleset: RuleSet) -> str:
    """A request path made from one rule's pattern, its ``*`` and ``?`` filled in."""
    pattern = draw(st.sampled_from([rule.route.pattern for rule in ruleset.rules]))
    out = []
    for char in pattern:
        if char == "*":
            out.append(draw(fillers))
        elif char == "?":
            out.append(draw(st.characters(blacklist_categories=("Cs",))))
        else:
            out.append(char)
    return "".join(out)


def requests_for(ruleset: RuleSet, max_size: int = 12) -> st.SearchStrategy[list[tuple[str, str]]]:
    """(verb, path) pairs: the call's own route first, then the other routes of a cached policy."""
    path = st.one_of(paths_like(ruleset), random_paths)
    verb = st.one_of(st.sampled_from(HTTP_METHODS), st.sampled_from(OTHER_VERBS))
    return st.lists(st.tuples(verb, path), min_size=1, max_size=max_size)

api_stages = st.builds(
    ApiStage,
    partition=st.sampled_from(("aws", "aws-cn", "aws-us-gov")),
    region=st.sampled_from(("eu-west-1", "us-east-1", "cn-north-1", "ap-southeast-2")),
    account=st.from_regex(r"[0-9]{12}", fullmatch=True),
    api_id=st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    stage=st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True),
)


# --- per-route mode: resource paths and the concrete paths API Gateway routes to them -----------

# Rules over a narrow alphabet, so that several reach one route and its paths get mixed decisions
DENSE_SEGMENTS = ("a", "b", "*", "?", "{id}", "a*", "*b", "{proxy+}", "?*")
dense_routes = st.tuples(
    st.sampled_from(("*", "GET", "GET", "POST")),
    st.lists(st.sampled_from(DENSE_SEGMENTS), max_size=3).map(lambda segments: "/" + "/".join(segments)),
).map(" ".join)

TEMPLATE_LITERALS = ("a", "b", "orders", "1", "v1", "x.y", "a:b", "%41", "+", "~", "-")  # RULE_LITERALS
PARAMETER_VALUES = ("a", "b", "1", "orders", "x.y", ":", "%2F", "é", "a b", "*", "?", "{id}", "v1", "%41", "ab",
                    "a:b", "+", "~", "-", "x", "v1.x", "ba")

template_segments = st.one_of(
    st.sampled_from(TEMPLATE_LITERALS), st.sampled_from(("{id}", "{p}", "{name}"))
)


@st.composite
def resource_paths(draw: st.DrawFn) -> str:
    """An API Gateway resource path: literals and parameters, maybe a greedy one last, or the root."""
    segments = draw(st.lists(template_segments, max_size=3))
    if draw(st.booleans()) and draw(st.booleans()):
        segments.append("{proxy+}")
    return "/" + "/".join(segments)


def _template_segment(segment: str, last: bool, index: int, greedy: bool) -> str:
    if last and greedy:
        return "{proxy+}"
    if segment in TEMPLATE_LITERALS:
        return segment
    return f"{{p{index}}}"


@st.composite
def routes_for(draw: st.DrawFn, ruleset: RuleSet) -> tuple[str, str]:
    """(verb, resource path): often one a rule is written for (its wildcards as parameters), so
    that rules reach the route and its paths get every decision; else a random one."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(HTTP_METHODS)), draw(resource_paths())
    rule = draw(st.sampled_from(ruleset.rules))
    method = draw(st.sampled_from(rule.route.methods))
    segments = [segment for segment in rule.route.path[1:].split("/") if segment] if rule.route.path != "/" else []
    greedy = draw(st.booleans())
    template = [_template_segment(seg, i == len(segments) - 1, i, greedy) for i, seg in enumerate(segments)]
    return method, "/" + "/".join(template)


def concrete_paths(template: str) -> st.SearchStrategy[str]:
    """Paths of the resource path: each ``{name}`` a non-empty value without '/', ``{proxy+}`` one
    or more segments (empty ones inside too), maybe one trailing '/'."""
    value = st.one_of(
        st.sampled_from(PARAMETER_VALUES),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=4),
    )
    greedy = st.builds(
        lambda first, rest: "/".join([first, *rest]), value, st.lists(st.one_of(value, st.just("")), max_size=3)
    )

    @st.composite
    def build(draw: st.DrawFn) -> str:
        if template == "/":
            return "/"
        parts = []
        for segment in template[1:].split("/"):
            if segment.endswith("+}"):
                parts.append(draw(greedy))
            elif segment.startswith("{"):
                parts.append(draw(value))
            else:
                parts.append(segment)
        path = "/" + "/".join(parts)
        return path + "/" if draw(st.booleans()) and not path.endswith("/") else path

    return build()
