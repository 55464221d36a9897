"""Which globs may share a string with a given one, told cheaply and never wrongly (pure).

Two IAM globs (``*`` any run, ``?`` one character, the rest literal) can match a common string
only if their literal HEADS (the text before the first wildcard) are prefixes of one another:
every string of each starts with its head. Likewise their literal TAILS (after the last
wildcard) must be suffixes of one another, and their lengths must fit (a glob without ``*``
matches strings of one length; with ``*``, of at least its length without the ``*``). These
are necessary conditions only: "may overlap" is decided exactly by
:func:`authorizer.glob_language.find_string`, but most pairs of a policy's resources (other
verbs, other first path segments) are told apart here in a few string comparisons.

:class:`GlobIndex` keeps a set of globs sorted by head, so the globs whose head is comparable
with a given one are found without looking at the others: those whose head is a prefix of it
(one dictionary look-up per prefix) and those whose head starts with it (a contiguous run of
the sorted heads).

>>> reach("GET/orders/*").may_overlap(reach("GET/admin/*"))
False
>>> index_globs(frozenset(["GET/*", "GET/orders/*", "GET/admin/*", "POST/*"])).candidates("GET/orders/1")
('GET/*', 'GET/orders/*')
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

__all__ = ["GlobIndex", "GlobReach", "index_globs", "reach"]


class GlobReach:
    """What can be told about the strings of a glob without a search.

    A slotted class, not a NamedTuple: compaction compares many pairs, and a slot is read about
    twice as fast. Immutable by convention: nothing sets an attribute after ``__init__``.
    """

    __slots__ = ("head", "tail", "stars", "length", "literal")

    def __init__(self, head: str, tail: str, stars: bool, length: int, literal: bool) -> None:
        self.head = head  # literal text before the first '*' or '?' (the whole glob if it has neither)
        self.tail = tail  # literal text after the last '*' or '?' (likewise)
        self.stars = stars  # whether it holds a '*'
        self.length = length  # its length without its '*': the length of its strings (without '*'), or the least
        self.literal = literal  # no wildcard at all: it matches exactly itself

    def may_overlap(self, other: GlobReach) -> bool:
        """False only if no string matches both globs."""
        if not (self.head.startswith(other.head) or other.head.startswith(self.head)):
            return False
        if not (self.tail.endswith(other.tail) or other.tail.endswith(self.tail)):
            return False
        if not self.stars and not other.stars:
            return self.length == other.length
        if not self.stars:
            return self.length >= other.length
        return other.stars or other.length >= self.length


@lru_cache(maxsize=16384)  # a rule set gives the same globs to every scope set
def reach(glob: str) -> GlobReach:
    star, one = glob.find("*"), glob.find("?")
    if star < 0 and one < 0:
        return GlobReach(glob, glob, False, len(glob), True)
    first = min(i for i in (star, one) if i >= 0)
    last = max(glob.rfind("*"), glob.rfind("?"))
    return GlobReach(glob[:first], glob[last + 1 :], star >= 0, len(glob) - glob.count("*"), False)


class GlobIndex:
    """A set of globs by head; build it with :func:`index_globs` (shared, so never mutate it)."""

    def __init__(self, globs: frozenset[str]) -> None:
        by_head: dict[str, list[str]] = {}
        for glob in sorted(globs):
            by_head.setdefault(reach(glob).head, []).append(glob)
        self._heads = sorted(by_head)
        self._by_head = {head: tuple(members) for head, members in by_head.items()}
        self._candidates: dict[str, tuple[str, ...]] = {}  # by head, filled as asked

    def candidates(self, glob: str) -> tuple[str, ...]:
        """Every glob of the set whose head is comparable with ``glob``'s (``glob`` too, if in it),
        in a fixed order: a superset of those that share a string with ``glob``."""
        head = reach(glob).head
        found = self._candidates.get(head)
        if found is None:
            prefixes = (self._by_head.get(head[:end], ()) for end in range(len(head) + 1))
            longer = []
            for other in self._heads[bisect_right(self._heads, head) :]:  # heads that extend it
                if not other.startswith(head):
                    break
                longer.append(self._by_head[other])
            found = tuple(glob for group in (*prefixes, *longer) for glob in group)
            self._candidates[head] = found
        return found


@lru_cache(maxsize=4)  # one per rule set in use: all its policies share their globs
def index_globs(globs: frozenset[str]) -> GlobIndex:
    return GlobIndex(globs)
