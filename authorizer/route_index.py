"""An index of rules by method and first path segment, so a decision looks at few rules (pure).

A rule can only match a request whose verb is its method (or any verb, for ``*``) and, when its
pattern starts with a literal first segment (``/orders/...``, ``/orders``), whose path has that
first segment. Rules whose first segment holds a wildcard (``/*``, ``/v?/...``) are candidates for
every path. Candidates keep file order, so decisions list matched rules exactly as a full scan does;
the index only skips rules that cannot match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from authorizer.route import HTTP_METHODS, RoutePattern


class Routed(Protocol):
    @property
    def route(self) -> RoutePattern: ...


def literal_first_segment(pattern: str) -> str | None:
    """The first segment of ``pattern`` if it is literal (``/orders/*`` -> ``orders``), else None."""
    wildcard = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    slash = pattern.find("/", 1)
    if slash == -1:  # one segment: literal only when the whole pattern is
        return pattern[1:] if wildcard == len(pattern) else None
    return pattern[1:slash] if slash < wildcard else None


def first_segment(path: str) -> str:
    slash = path.find("/", 1)
    return path[1:] if slash == -1 else path[1:slash]


class _MethodIndex(NamedTuple):
    by_segment: dict[str, tuple[Routed, ...]]  # literal-segment rules merged with the wildcard ones
    anywhere: tuple[Routed, ...]  # rules whose first segment holds a wildcard


def _method_index(rules: list[Routed], segments: dict[int, str | None]) -> _MethodIndex:
    """``segments`` maps id(rule) to its literal first segment (computed once per rule)."""
    anywhere = [rule for rule in rules if segments[id(rule)] is None]
    own: dict[str, list[Routed]] = {}
    for rule in rules:
        segment = segments[id(rule)]
        if segment is not None:
            own.setdefault(segment, []).append(rule)
    order = {id(rule): position for position, rule in enumerate(rules)}
    by_segment = {
        segment: tuple(sorted(literal + anywhere, key=lambda rule: order[id(rule)]))
        for segment, literal in own.items()
    }
    return _MethodIndex(by_segment, tuple(anywhere))


class RouteIndex(NamedTuple):
    by_method: dict[str, _MethodIndex]
    other_verbs: _MethodIndex  # a verb outside HTTP_METHODS: no rule matches it

    @classmethod
    def build(cls, rules: Iterable[Routed]) -> RouteIndex:
        ordered = list(rules)
        segments = {id(rule): literal_first_segment(rule.route.pattern) for rule in ordered}
        by_method = {
            verb: _method_index([r for r in ordered if r.route.method in ("*", verb)], segments)
            for verb in HTTP_METHODS
        }
        return cls(by_method, _method_index([], segments))

    def candidates(self, method: str, path: str) -> tuple[Routed, ...]:
        """The rules that may match, in file order (a superset of those that do)."""
        index = self.by_method.get(method, self.other_verbs)
        return index.by_segment.get(first_segment(path), index.anywhere)
