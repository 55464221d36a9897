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
  is matched (exact; for ``{proxy+}`` with rules using ``?``, exact up to D;
  past :data:`MAX_SAMPLES_PER_ROUTE` samples only the shortest and longest
  lengths are tried);
* a rule matches every request of a route iff it matches every generic sample.

Witnesses. A rule can match only some requests of a route (``GET /orders/1``
on ``GET /orders/{id}``, ``* /admin/*`` on ``ANY /{proxy+}``), which generic
samples never show. For each such pair, :func:`find_witness` searches the
product of the rule's glob, the route's path and the paths of the more
specific routes (which would take the request first) for the shortest path the
first two match and none of the others does: it finds one if and only if one
exists. The witness is kept only if ``RuleSet.matching`` agrees and the route
is where API Gateway sends it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from authorizer.resource_path import GREEDY as PROXY
from authorizer.resource_path import LITERAL
from authorizer.resource_path import PARAMETER as PARAM
from scopegate_tools.cli.template_routes import Request, TemplateRoute, route_of
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
        "/".join(combo) for depth in space.proxy_depths for combo in itertools.product(values, repeat=depth)
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


_State = tuple[int, int]  # (position in route tokens, phase)


def _closure(tokens: list[tuple[int, str]], states: Iterable[_State]) -> frozenset[_State]:
    """Add the moves that need no character: leaving a parameter after its first character."""
    found = set(states)
    for j, phase in list(found):
        if phase == 1:
            found.add((j + 1, 0))
    return frozenset(found)


def _route_step(tokens: list[tuple[int, str]], state: _State, char: str) -> _State | None:
    """Phase 0: at the start of token j; 1: inside a parameter after a character; 2: in a
    {proxy+} just after a '/'."""
    j, phase = state
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


def _step_all(tokens: list[tuple[int, str]], states: frozenset[_State], char: str) -> frozenset[_State]:
    moved = (_route_step(tokens, state, char) for state in states)
    return _closure(tokens, (state for state in moved if state is not None))


def _search_path(
    pattern: str, route: TemplateRoute, generic: str, shadows: Iterable[TemplateRoute]
) -> str | None:
    """The shortest path the glob ``pattern`` and ``route`` both match and no route in
    ``shadows`` (the more specific routes) matches; None when there is none.

    A breadth-first search of the product of the glob, the route's path and the
    determinized paths of the shadowing routes. Characters: the generic one
    first, then every literal of the glob and the routes, then '/'.
    """
    tokens = _route_tokens(route)
    others = [_route_tokens(other) for other in shadows]
    literals = {c for c in pattern if c not in "*?"} | {text for kind, text in tokens if kind == LITERAL}
    literals |= {text for other in others for kind, text in other if kind == LITERAL}
    alphabet = [generic] + sorted(literals - {generic, "/"}) + ["/"]

    def glob_closure(i: int) -> list[int]:
        positions = [i]
        while i < len(pattern) and pattern[i] == "*":
            i += 1
            positions.append(i)
        return positions

    type State = tuple[frozenset[int], frozenset[_State], tuple[frozenset[_State], ...]]
    start: State = (
        frozenset(glob_closure(0)),
        _closure(tokens, [(0, 0)]),
        tuple(_closure(other, [(0, 0)]) for other in others),
    )
    parents: dict[State, tuple[State, str] | None] = {start: None}
    queue: deque[State] = deque([start])
    while queue:
        state = queue.popleft()
        glob, mine, theirs = state
        if (
            len(pattern) in glob
            and (len(tokens), 0) in mine
            and not any((len(other), 0) in states for other, states in zip(others, theirs))
        ):
            chars: list[str] = []
            while (parent := parents[state]) is not None:
                state, char = parent
                chars.append(char)
            return "".join(reversed(chars))
        for char in alphabet:
            next_glob: set[int] = set()
            for i in glob:
                if i < len(pattern) and (pattern[i] in "*?" or pattern[i] == char):
                    next_glob.update(glob_closure(i if pattern[i] == "*" else i + 1))
            next_mine = _step_all(tokens, mine, char)
            if not next_glob or not next_mine:
                continue
            target: State = (
                frozenset(next_glob),
                next_mine,
                tuple(_step_all(other, states, char) for other, states in zip(others, theirs)),
            )
            if target not in parents:
                parents[target] = (state, char)
                queue.append(target)
    return None


def find_witness(
    rule: Rule, route: TemplateRoute, generic: str, routes: Iterable[TemplateRoute]
) -> Request | None:
    """A request of ``route`` that ``rule`` matches, or None when the search finds none."""
    methods = [m for m in route.methods if m in rule.route.methods]
    if not methods:
        return None
    routes = tuple(routes)
    shadows = [other for other in routes if other.precedence < route.precedence]
    path = _search_path(rule.route.pattern, route, generic, shadows)
    if path is None:
        return None
    for method in methods:
        request = Request(method, path)
        if rule.route.matches(method, path) and route_of(request, routes) == route:
            return request
    return None
