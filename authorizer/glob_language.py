"""Exact questions about the sets of strings IAM globs match (pure).

:mod:`authorizer.glob_pattern` asks whether ONE string matches a glob; this module asks about
ALL strings at once: is there a string matched by every glob of ``all_of``, by at least one of
``any_of`` and by none of ``none_of``? Overlap (``all_of=[a, b]``), containment (``all_of=[a]``,
``none_of=[b]``: no answer means every string of ``a`` is in ``b``) and "is ``a`` covered by these
others" are all this one question. The policy compactor (:mod:`authorizer.policy_compaction`)
asks it to drop only resources it has PROVED redundant.

Semantics are IAM's, as in :mod:`authorizer.glob_pattern`: ``*`` any run of characters (``/``
included, the empty run too), ``?`` exactly one character (any), everything else itself,
case-sensitively; the match is whole-string.

A question may also hold a :class:`PathGlob`: IAM glob text with :class:`PathClass` parts that
IAM cannot write (a character other than ``/``, a run of them, an optional ``/``). These write
the paths an API Gateway resource path matches (``/orders/{id}``: ``/orders/``, a character other
than ``/``, a run of them, an optional ``/``), so per-route mode (:mod:`authorizer.route_policy`)
asks its questions within one route. :func:`matches` tells whether one string matches a pattern.

How: a glob of length ``n`` is a nondeterministic automaton with states ``0..n`` (how much of
the glob has been read); a literal or ``?`` at position ``i`` moves ``i -> i + 1`` on the
characters it matches, a ``*`` loops on every character and may be skipped. The state SET of
every glob of the question is packed into one integer (one bit per state, the globs side by
side), so a step of all the globs at once is a few integer operations, and the subset
construction (needed for ``none_of``, a complement) happens on the fly. A breadth-first search
over these packed sets, from the start, looks for one where the answer holds.

Exact on an infinite alphabet: a glob only ever asks "is this character ``c``?" for its own
literal characters (and a path class "is it ``/``?", so ``/`` counts as named whenever one is
asked), so every character that no pattern of the question names behaves the same in every
pattern. The search therefore uses the named characters plus ONE symbol for all the others
(a witness spells it with a concrete unnamed character); and from a given state set, a named
character that none of its positions holds moves like an unnamed one, so it is not tried apart. The number of packed sets is finite, so the
search ends; it is bounded by ``max_states`` and answers :attr:`Outcome.UNKNOWN` when the bound
is hit (callers must then assume the worst).

>>> find_string(all_of=["GET/orders/*"], none_of=["GET/*"]).outcome
<Outcome.NONE: 'none'>
>>> find_string(all_of=["GET/v?/x", "GET/*/x"]).witness
'GET/v//x'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from enum import Enum
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple

__all__ = ["MAX_STATES", "Outcome", "PathClass", "PathGlob", "Pattern", "Search", "find_string", "matches"]

MAX_STATES = 50_000  # packed state sets one question may visit before it answers UNKNOWN


class Outcome(Enum):
    FOUND = "found"  # a witness string exists (and is given)
    NONE = "none"  # proved: no string has the asked property
    UNKNOWN = "unknown"  # the search hit its bound: assume either


class Search(NamedTuple):
    """The answer to one question, and how many packed state sets it visited."""

    outcome: Outcome
    witness: str | None
    states: int


class PathClass(Enum):
    """A part of a :class:`PathGlob` that an IAM glob cannot write."""

    SEGMENT_CHAR = "one character other than '/'"
    SEGMENT_RUN = "a run of characters other than '/', the empty run too"
    OPTIONAL_SLASH = "one '/' or nothing"


class PathGlob(NamedTuple):
    """A pattern of parts in a row: IAM glob text (``*`` and ``?`` are wildcards) or a PathClass.

    >>> segment = (PathClass.SEGMENT_CHAR, PathClass.SEGMENT_RUN)  # one or more, no '/'
    >>> matches(PathGlob(("/orders/", *segment, PathClass.OPTIONAL_SLASH)), "/orders/42/")
    True
    """

    parts: tuple[str | PathClass, ...]


Pattern = str | PathGlob  # an IAM glob, or a path glob


class _Shape:
    """One pattern's automaton, its bits counted from 0 (shifted into place per question).

    A slotted class, not a NamedTuple: every question reads it, pattern by pattern, and a slot is
    read about twice as fast. Immutable by convention: nothing sets an attribute after ``__init__``.
    """

    __slots__ = ("length", "literals", "any_one", "star", "not_slash", "segment_run", "skip", "chain")

    def __init__(
        self,
        length: int,
        literals: tuple[tuple[str, int], ...],
        any_one: int,
        star: int,
        not_slash: int = 0,
        segment_run: int = 0,
        skip: int = 0,
        chain: int = 1,
    ) -> None:
        self.length = length  # n: states 0..n, n accepts
        self.literals = literals  # (character, positions holding it)
        self.any_one = any_one  # positions holding '?'
        self.star = star  # positions holding '*'
        self.not_slash = not_slash  # positions holding SEGMENT_CHAR
        self.segment_run = segment_run  # positions holding SEGMENT_RUN
        self.skip = skip  # positions that may be skipped: '*', SEGMENT_RUN, OPTIONAL_SLASH
        self.chain = chain  # the most skippable positions in a row (closure takes that many steps)


@lru_cache(maxsize=8192)
def _shape(pattern: Pattern) -> _Shape:
    parts = [pattern] if isinstance(pattern, str) else list(pattern.parts)
    literals: dict[str, int] = {}
    any_one = star = not_slash = segment_run = skip = 0
    position = 0
    for part in parts:
        if isinstance(part, PathClass):
            bit = 1 << position
            if part is PathClass.SEGMENT_CHAR:
                not_slash |= bit
            elif part is PathClass.SEGMENT_RUN:
                segment_run |= bit
                skip |= bit
            else:
                literals["/"] = literals.get("/", 0) | bit
                skip |= bit
            position += 1
            continue
        while "**" in part:  # the same language; no two '*' in a row keeps closure one step
            part = part.replace("**", "*")
        for char in part:
            bit = 1 << position
            if char == "*":
                star |= bit
                skip |= bit
            elif char == "?":
                any_one |= bit
            else:
                literals[char] = literals.get(char, 0) | bit
            position += 1
    chain = run = 0
    for index in range(position):
        run = run + 1 if skip >> index & 1 else 0
        chain = max(chain, run)
    return _Shape(position, tuple(sorted(literals.items())), any_one, star, not_slash, segment_run, skip,
                  max(chain, 1))


class _Question:
    """The patterns of one question packed side by side, with the masks the search needs."""

    def __init__(self, all_of: Sequence[Pattern], any_of: Sequence[Pattern], none_of: Sequence[Pattern]) -> None:
        self.symbols: list[str] = []  # the characters the patterns name, sorted
        self.literal: list[int] = []  # per named character: the positions holding it
        self.distinct: list[int] = []  # per named character: positions where it moves unlike an unnamed one
        self.star = self.start = self.not_slash = self.segment_run = self.skip = 0
        self.chain = 1
        self.all_ranges: list[int] = []  # one per all_of glob: its bits (empty = that glob is dead)
        self.all_accept = self.any_range = self.any_accept = 0
        self.none_accept = self.none_universal = 0
        literals: dict[str, int] = {}
        any_one = offset = 0
        groups = [(pattern, "all") for pattern in all_of] + [(pattern, "any") for pattern in any_of]
        groups += [(pattern, "none") for pattern in none_of]
        for pattern, group in groups:
            shape = _shape(pattern)
            for char, positions in shape.literals:
                literals[char] = literals.get(char, 0) | positions << offset
            any_one |= shape.any_one << offset
            self.star |= shape.star << offset
            self.not_slash |= shape.not_slash << offset
            self.segment_run |= shape.segment_run << offset
            self.skip |= shape.skip << offset
            self.chain = max(self.chain, shape.chain)
            self.start |= 1 << offset
            accept = 1 << (offset + shape.length)
            every = ((accept << 1) - 1) ^ ((1 << offset) - 1)
            if group == "all":
                self.all_ranges.append(every)
                self.all_accept |= accept
            elif group == "any":
                self.any_range |= every
                self.any_accept |= accept
            else:
                self.none_accept |= accept
                if shape.length and shape.star >> (shape.length - 1):
                    self.none_universal |= accept >> 1  # at a final '*': it matches every rest
            offset += shape.length + 1
        segment_classes = self.not_slash | self.segment_run
        if segment_classes:  # a path class asks "is it '/'?": '/' is named
            literals.setdefault("/", 0)
        for char in sorted(literals):
            self.symbols.append(char)
            self.literal.append(literals[char])
            self.distinct.append(literals[char] | (segment_classes if char == "/" else 0))
        self.any_one = any_one
        self.start = self.close(self.start)
        self.has_any = bool(any_of)

    def close(self, state: int) -> int:
        """Add the positions reached by skipping skippable ones (``chain`` in a row at most)."""
        for _ in range(self.chain):
            state |= (state & self.skip) << 1
        return state

    def step(self, state: int, char: str | None) -> int:
        """The state after reading ``char`` (None: a character no pattern names)."""
        literal = 0
        if char is not None:
            index = bisect_left(self.symbols, char)
            if index < len(self.symbols) and self.symbols[index] == char:
                literal = self.literal[index]
        return self._read(state, literal, char == "/")

    def _read(self, state: int, literal: int, slash: bool) -> int:
        """The state after a character held at positions ``literal``; ``slash``: it is '/'."""
        advance = state & (literal | self.any_one)
        stay = state & self.star
        if not slash:
            advance |= state & self.not_slash
            stay |= state & self.segment_run
        return self.close(advance << 1 | stay)

    def moves(self, state: int) -> list[tuple[str | None, int]]:
        """The live states one character away, each with a character leading there (None: one
        no pattern names). A named character that moves like an unnamed one from ``state``
        (no position of it asks about that character) is not tried apart."""
        found: list[tuple[str | None, int]] = []
        for char, literal, distinct in zip(self.symbols, self.literal, self.distinct):
            if state & distinct:
                found.append((char, self._read(state, literal, char == "/")))
        found.append((None, self._read(state, 0, False)))
        return [(char, following) for char, following in found if self.alive(following)]

    def alive(self, state: int) -> bool:
        """Whether some continuation could still satisfy the question from ``state``."""
        if state & self.none_universal:  # a none_of glob matches every continuation
            return False
        if self.has_any and not state & self.any_range:
            return False
        for every in self.all_ranges:
            if not state & every:
                return False
        return True

    def accepts(self, state: int) -> bool:
        if state & self.all_accept != self.all_accept or state & self.none_accept:
            return False
        return not self.has_any or bool(state & self.any_accept)

    def spell(self, path: list[str | None]) -> str:
        named = set(self.symbols)
        other = next(c for c in map(chr, range(ord("#"), 0x110000)) if c not in named and c not in "*?")
        return "".join(other if symbol is None else symbol for symbol in path)


def matches(pattern: Pattern, value: str) -> bool:
    """Whether ``value`` as a whole matches ``pattern`` (linear in ``len(value)``)."""
    question = _Question([pattern], (), ())
    state = question.start
    for char in value:
        state = question.step(state, char)
        if not state:
            return False
    return question.accepts(state)


def find_string(
    all_of: Sequence[Pattern] = (),
    any_of: Sequence[Pattern] = (),
    none_of: Sequence[Pattern] = (),
    *,
    max_states: int = MAX_STATES,
) -> Search:
    """Search for a string matched by every pattern of ``all_of``, by at least one of ``any_of``
    (an empty ``any_of`` sets no condition) and by none of ``none_of``.

    :attr:`Outcome.FOUND` comes with a shortest such string, :attr:`Outcome.NONE` is a proof that
    there is none, :attr:`Outcome.UNKNOWN` means more than ``max_states`` packed state sets would
    have to be visited to tell.
    """
    question = _Question(all_of, any_of, none_of)
    if not question.alive(question.start):
        return Search(Outcome.NONE, None, 1)
    came_from: dict[int, tuple[int, str | None] | None] = {question.start: None}
    queue = deque([question.start])
    while queue:
        state = queue.popleft()
        if question.accepts(state):
            path: list[str | None] = []
            link = came_from[state]
            while link is not None:
                state, symbol = link
                path.append(symbol)
                link = came_from[state]
            return Search(Outcome.FOUND, question.spell(path[::-1]), len(came_from))
        for symbol, following in question.moves(state):
            if following in came_from:
                continue
            if len(came_from) >= max_states:
                return Search(Outcome.UNKNOWN, None, len(came_from))
            came_from[following] = (state, symbol)
            queue.append(following)
    return Search(Outcome.NONE, None, len(came_from))
