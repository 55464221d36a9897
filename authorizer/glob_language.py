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

How: a glob of length ``n`` is a nondeterministic automaton with states ``0..n`` (how much of
the glob has been read); a literal or ``?`` at position ``i`` moves ``i -> i + 1`` on the
characters it matches, a ``*`` loops on every character and may be skipped. The state SET of
every glob of the question is packed into one integer (one bit per state, the globs side by
side), so a step of all the globs at once is a few integer operations, and the subset
construction (needed for ``none_of``, a complement) happens on the fly. A breadth-first search
over these packed sets, from the start, looks for one where the answer holds.

Exact on an infinite alphabet: a glob only ever asks "is this character ``c``?" for its own
literal characters, so every character that no glob of the question names behaves the same in
every glob. The search therefore uses the named characters plus ONE symbol for all the others
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
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

__all__ = ["MAX_STATES", "Outcome", "Search", "find_string"]

MAX_STATES = 50_000  # packed state sets one question may visit before it answers UNKNOWN


class Outcome(Enum):
    FOUND = "found"  # a witness string exists (and is given)
    NONE = "none"  # proved: no string has the asked property
    UNKNOWN = "unknown"  # the search hit its bound: assume either


@dataclass(frozen=True, slots=True)
class Search:
    """The answer to one question, and how many packed state sets it visited."""

    outcome: Outcome
    witness: str | None
    states: int


@dataclass(frozen=True, slots=True)
class _Shape:
    """One glob's automaton, its bits counted from 0 (shifted into place per question)."""

    length: int  # n: states 0..n, n accepts
    literals: tuple[tuple[str, int], ...]  # (character, positions holding it)
    any_one: int  # positions holding '?'
    star: int  # positions holding '*'


@lru_cache(maxsize=8192)
def _shape(pattern: str) -> _Shape:
    while "**" in pattern:  # the same language; no two '*' in a row keeps closure one step
        pattern = pattern.replace("**", "*")
    literals: dict[str, int] = {}
    any_one = star = 0
    for position, char in enumerate(pattern):
        bit = 1 << position
        if char == "*":
            star |= bit
        elif char == "?":
            any_one |= bit
        else:
            literals[char] = literals.get(char, 0) | bit
    return _Shape(len(pattern), tuple(sorted(literals.items())), any_one, star)


class _Question:
    """The globs of one question packed side by side, with the masks the search needs."""

    def __init__(self, all_of: Sequence[str], any_of: Sequence[str], none_of: Sequence[str]) -> None:
        self.symbols: list[str] = []  # the characters the globs name, sorted
        self.literal: list[int] = []  # per named character: the positions holding it
        self.star = self.start = 0
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
        for char in sorted(literals):
            self.symbols.append(char)
            self.literal.append(literals[char])
        self.any_one = any_one
        self.start = self.close(self.start)
        self.has_any = bool(any_of)

    def close(self, state: int) -> int:
        """Add the positions reached by skipping a '*' (one step: no two '*' are adjacent)."""
        return state | (state & self.star) << 1

    def moves(self, state: int) -> list[tuple[str | None, int]]:
        """The live states one character away, each with a character leading there (None: one
        no glob names). A named character that no position of ``state`` holds moves as an
        unnamed one, so it is not tried apart."""
        stay = state & self.star
        unnamed = state & self.any_one
        found: list[tuple[str | None, int]] = []
        for char, literal in zip(self.symbols, self.literal):
            if state & literal:
                found.append((char, self.close(((state & literal) | unnamed) << 1 | stay)))
        found.append((None, self.close(unnamed << 1 | stay)))
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


def find_string(
    all_of: Sequence[str] = (),
    any_of: Sequence[str] = (),
    none_of: Sequence[str] = (),
    *,
    max_states: int = MAX_STATES,
) -> Search:
    """Search for a string matched by every glob of ``all_of``, by at least one of ``any_of``
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
