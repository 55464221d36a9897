"""Concrete requests that stand for every request of a template route (pure).

The rules tools never re-implement the rules' matching: they pick requests and
ask :meth:`authorizer.rules.RuleSet.matching`. What matters is picking them so
that the answers hold for EVERY request of the route.

Generic samples. Each ``{name}`` gets a value made of one *generic* character
``g`` that appears in no rule pattern and no template literal, so only a rule's
``*`` or ``?`` can match it, never a literal. Then a rule that matches a
generic request matches every request with values of the same lengths (a
wildcard matches any character), and those requests go to the same route
(no literal segment can equal a generic one). Lengths only matter through
``?``: with ``q`` the largest number of ``?`` in one rule, a value longer
than ``q`` has a character matched by a ``*``, which may match one more or
one less, so lengths ``1..q+1`` stand for every length. ``{proxy+}`` values
are generic segments joined by ``/`` at depths ``1..D``, with
``D = max(s + q + 2, deepest template path + 1)`` and ``s`` the largest
number of ``/`` in one rule: past ``s + 1`` slashes one slash is matched by a
``*`` that can take or give up a whole segment. Hence:

* a route is matched by some rule on every request iff every generic sample
  is matched (exact; for ``{proxy+}`` with rules using ``?``, exact up to D);
* a rule matches every request of a route iff it matches every generic sample.

Witnesses. A rule can match only some requests of a route (``GET /orders/1``
on ``GET /orders/{id}``, ``* /admin/*`` on ``ANY /{proxy+}``), which generic
samples never show. For such a pair, :func:`find_witness` searches the
product of the rule's glob and the route's path for the shortest path both
accept (generic characters first); the witness is kept only if
``RuleSet.matching`` agrees and the route is where API Gateway sends it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from authorizer.cli.template_routes import LITERAL, PARAM, PROXY, Request, TemplateRoute, route_of
from authorizer.rules import Rule, RuleSet

GENERIC_CANDIDATES = "xzqjkwvyubcdfghmnprstloaie0123456789XZQJKWVYUBCDFGHMNPRSTLOAIE_~-"
FALLBACK_GENERIC = "\u00e7"  # never in a rule: rule paths are ASCII
MAX_SAMPLES_PER_ROUTE = 4096


@dataclass(frozen=True, slots=True)
class SampleSpace:
    """What the sampling of a rule set and a template depends on."""

    generic: str
    value_lengths: tuple[int, ...]  # lengths of a {name} value (and of each {proxy+} segment)
    proxy_depths: tuple[int, ...]


def sample_space(ruleset: RuleSet, routes: Iterable[TemplateRoute]) -> SampleSpace:
    routes = tuple(routes)
    used_chars = set("".join(rule.route.pattern for rule in ruleset.rules))
    used_chars.update("".join(text for route in routes for kind, text in route.segments if kind == LITERAL))
    generic = next((c for c in GENERIC_CANDIDATES if c not in used_chars), FALLBACK_GENERIC)
    q = max((rule.route.pattern.count("?") for rule in ruleset.rules), default=0)
    s = max((rule.route.pattern.count("/") for rule in ruleset.rules), default=0)
    deepest = max((len(route.segments) for route in routes), default=0)
    depth = max(s + q + 2, deepest + 1)
    return SampleSpace(generic, tuple(range(1, q + 2)), tuple(range(1, depth + 1)))


def _segment_values(kind: int, text: str, space: SampleSpace, lengths: tuple[int, ...]) -> list[str]:
    if kind == LITERAL:
        return [text]
    values = [space.generic * n for n in lengths]
    if kind == PARAM:
        return values
    return [
        "/".join(combo)
        for depth in space.proxy_depths
        for combo in itertools.product(values, repeat=depth)
    ]


def generic_samples(
    route: TemplateRoute, space: SampleSpace, routes: Iterable[TemplateRoute]
) -> tuple[Request, ...]:
    """The generic requests of ``route`` (see the module docstring), in a stable order."""
    routes = tuple(routes)
    lengths = space.value_lengths
    while True:
        choices = [_segment_values(kind, text, space, lengths) for kind, text in route.segments]
        count = len(route.methods)
        for values in choices:
            count *= len(values)
        if count <= MAX_SAMPLES_PER_ROUTE or len(lengths) <= 2:
            break
        lengths = (lengths[0], lengths[-1])  # very many '?': shortest and longest only
    paths = ["/" + "/".join(values) for values in itertools.product(*choices)] or ["/"]
    requests = [Request(method, path) for method in route.methods for path in paths]
    return tuple(request for request in requests if route_of(request, routes) == route)


def _route_tokens(route: TemplateRoute) -> list[tuple[int, str]]:
    tokens: list[tuple[int, str]] = []
    for kind, text in route.segments:
        tokens.append((LITERAL, "/"))
        if kind == LITERAL:
            tokens.extend((LITERAL, char) for char in text)
        else:
            tokens.append((kind, ""))
    return tokens or [(LITERAL, "/")]


def _search_path(pattern: str, route: TemplateRoute, generic: str) -> str | None:
    """Shortest string matched by the glob ``pattern`` and by ``route``'s path (or None).

    States are (position in pattern, position in route tokens, phase), phase 0
    at the start of a token, 1 inside a parameter after a character, 2 inside
    a {proxy+} just after a '/'.
    """
    tokens = _route_tokens(route)
    literals = {c for c in pattern if c not in "*?"} | {text for kind, text in tokens if kind == LITERAL}
    alphabet = [generic] + sorted(literals - {generic, "/"}) + ["/"]
    start = (0, 0, 0)
    parents: dict[tuple[int, int, int], tuple[tuple[int, int, int], str] | None] = {start: None}
    queue: deque[tuple[int, int, int]] = deque([start])
    while queue:
        state = queue.popleft()
        i, j, phase = state
        if i == len(pattern) and j == len(tokens) and phase == 0:
            chars: list[str] = []
            while parents[state] is not None:
                state, char = parents[state]  # type: ignore[misc]
                chars.append(char)
            return "".join(reversed(chars))
        moves: list[tuple[tuple[int, int, int], str]] = []
        if i < len(pattern) and pattern[i] == "*":
            moves.append(((i + 1, j, phase), ""))
        if phase == 1:
            moves.append(((i, j + 1, 0), ""))
        for char in alphabet:
            if i == len(pattern):
                break
            p = pattern[i]
            if p == "*":
                next_i = i
            elif p == "?" or p == char:
                next_i = i + 1
            else:
                continue
            next_route = _route_step(tokens, j, phase, char)
            if next_route is not None:
                moves.append(((next_i, *next_route), char))
        for target, char in moves:
            if target not in parents:
                parents[target] = (state, char)
                if char:
                    queue.append(target)
                else:
                    queue.appendleft(target)
    return None


def _route_step(tokens: list[tuple[int, str]], j: int, phase: int, char: str) -> tuple[int, int] | None:
    if j == len(tokens):
        return None
    kind, text = tokens[j]
    if kind == LITERAL:
        return (j + 1, 0) if phase == 0 and char == text else None
    if char != "/":
        return (j, 1)
    if kind == PROXY and phase == 1:
        return (j, 2)
    return None


def find_witness(
    rule: Rule, route: TemplateRoute, generic: str, routes: Iterable[TemplateRoute]
) -> Request | None:
    """A request of ``route`` that ``rule`` matches, or None when the search finds none."""
    methods = [m for m in route.methods if m in rule.route.methods]
    if not methods:
        return None
    path = _search_path(rule.route.pattern, route, generic)
    if path is None:
        return None
    routes = tuple(routes)
    for method in methods:
        request = Request(method, path)
        if rule.route.matches(method, path) and route_of(request, routes) == route:
            return request
    return None
