"""Drop the resources of a policy that change no decision, exactly (pure).

API Gateway allows a request exactly when some Allow resource matches it and no Deny resource
does. So a policy with Allow resources ``A`` and Deny resources ``D`` allows the set of
methodArns ``(∪A) \\ (∪D)`` (each resource read as the set of strings its glob matches), and
two policies decide every request alike exactly when these sets are equal. :func:`compact`
removes resources one at a time, each removal keeping the set equal:

1. An Allow ``a`` is dropped when no string is in ``a``, outside every other kept Allow and
   outside every Deny. Proof: a string of ``a`` is then either in another kept Allow, and stays
   allowed unless a Deny matches it, as before; or in some Deny, and stays denied. Strings
   outside ``a`` are untouched.
2. Then a Deny ``d`` is dropped when no string is in ``d``, in some kept Allow and outside every
   other kept Deny. Proof: a string of ``d`` is then either in no kept Allow, and stays denied
   (implicitly now); or in another kept Deny, and stays explicitly denied. Strings outside ``d``
   are untouched.

"No string is ..." is decided exactly by :func:`authorizer.glob_language.find_string` (never
by sampling), asked about ``a`` (or ``d``) and only the resources that share a string with it:
the others cannot change the answer. Whether two resources share a string is told first by the
cheap necessary conditions of :mod:`authorizer.glob_index` (most pairs differ in verb or first
segment), then exactly.

Doubt keeps resources. A search that hits its bound counts as "a string may exist": the
resource is kept. Each compaction also has a budget, of pairs of resources examined for overlap
and of search work; once it is spent, compaction stops and keeps every resource it has not yet
dropped, and every Deny if it had not finished with the Allows (each Allow was dropped against
all the Denies, so keeping them all is exact). Every doubtful case therefore keeps resources,
which is always exact (the uncompacted policy keeps them all), only larger; and a pathological
rule set costs a bounded time once per scope set and API stage (the engine memoises the result).

The order of removal is fixed (longest resource first, then by text), so the same inputs give
the same output, whatever the order they came in.

``within`` restricts all of this to the strings of one pattern ``W`` (per-route mode,
:mod:`authorizer.route_policy`: the paths of one route): every question then asks only about
strings of ``W``, and the proofs above hold with every set intersected with ``W``, so
``((∪A) \\ (∪D)) ∩ W`` is what is kept equal. Outside ``W`` the result may decide otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from authorizer.glob_index import index_globs, reach
from authorizer.glob_language import MAX_STATES, Outcome, Pattern, find_string, matches
from authorizer.glob_pattern import compile_glob

__all__ = ["BUDGET_PAIRS", "BUDGET_WORK", "Compacted", "compact"]

# One compaction's budget: pairs of resources examined for overlap, and search work (packed
# automaton states visited and witnesses tried, times the globs of the question). A rule set whose resources start
# with distinct literal text (most) uses a little of each per resource; a thousand resources
# that all start with a wildcard would use far more, and get a less compact policy instead,
# within about 0.1 s.
BUDGET_PAIRS = 50_000
BUDGET_WORK = 50_000
QUICK_TRIES = 3  # shortest strings of a question's globs tried as witnesses before a search


class Compacted(NamedTuple):
    """The globs kept (each list sorted) and what it took to decide."""

    allow: list[str]
    deny: list[str]
    pairs: int  # pairs of globs examined for overlap
    work: int  # search work: automaton states visited (and witnesses tried), times the globs asked
    unknown: int  # questions left open (a search's bound hit): their resources were kept
    finished: bool  # False: the budget ran out, and what was left is kept


class _Universe:
    """The globs of one policy, with overlap answers and what is left of the budget."""

    def __init__(self, globs: frozenset[str], budget_pairs: int, budget_work: int, within: Pattern | None) -> None:
        self.index = index_globs(globs)
        self.within = within
        self.pairs_left, self.work_left = budget_pairs, budget_work
        self.pairs = self.work = self.unknown = 0
        self._overlaps: dict[tuple[str, str], bool] = {}
        self._neighbours: dict[str, list[str]] = {}

    @property
    def spent(self) -> bool:
        return self.pairs_left < 0 or self.work_left < 0

    def search(self, all_of: Sequence[str], any_of: Sequence[str] = (), none_of: Sequence[str] = ()) -> Outcome:
        """The exact answer, or UNKNOWN when the search's bound or the budget is hit."""
        size = len(all_of) + len(any_of) + len(none_of) + (self.within is not None)
        for glob in [*all_of, *any_of][:QUICK_TRIES]:  # the usual answer, checked directly
            self.work_left -= size
            self.work += size
            candidate = _shortest_string(glob)
            if (self.within is None or matches(self.within, candidate)) and _is_witness(
                candidate, all_of, any_of, none_of
            ):
                return Outcome.FOUND
        patterns: list[Pattern] = [*all_of, *([self.within] if self.within is not None else [])]
        bound = min(MAX_STATES, max(self.work_left, 0) // size + 1)
        found = find_string(patterns, any_of, none_of, max_states=bound)
        self.work_left -= found.states * size
        self.work += found.states * size
        self.unknown += found.outcome is Outcome.UNKNOWN
        return found.outcome

    def overlap(self, x: str, y: str) -> bool:
        """Whether some string matches both (True when not known: the safe side)."""
        key = (x, y) if x < y else (y, x)
        known = self._overlaps.get(key)
        if known is None:
            self.pairs_left -= 1
            self.pairs += 1
            rx, ry = reach(x), reach(y)
            if self.spent:
                known = True
            elif not rx.may_overlap(ry):
                known = False
            elif rx.literal or ry.literal:
                literal, glob = (x, y) if rx.literal else (y, x)
                known = compile_glob(glob).matches(literal)
            else:
                known = self.search([x, y]) is not Outcome.NONE
            self._overlaps[key] = known
        return known

    def neighbours(self, glob: str) -> list[str]:
        """The other globs of the policy that share a string with ``glob`` (or may)."""
        found = self._neighbours.get(glob)
        if found is None:
            found = []
            for other in self.index.candidates(glob):
                if self.spent:
                    break  # the caller stops too
                if other != glob and self.overlap(glob, other):
                    found.append(other)
            self._neighbours[glob] = found
        return found


def _shortest_string(glob: str) -> str:
    """A shortest string of ``glob``: each '*' empty, each '?' a NUL (a candidate, checked)."""
    return glob.replace("*", "").replace("?", "\x00")


def _is_witness(value: str, all_of: Sequence[str], any_of: Sequence[str], none_of: Sequence[str]) -> bool:
    if not all(compile_glob(glob).matches(value) for glob in all_of):
        return False
    if any_of and not any(compile_glob(glob).matches(value) for glob in any_of):
        return False
    return not any(compile_glob(glob).matches(value) for glob in none_of)


def _removal_order(globs: set[str]) -> list[str]:
    return sorted(globs, key=lambda glob: (-len(glob), glob))


def compact(
    allow: Sequence[str],
    deny: Sequence[str],
    *,
    budget_pairs: int = BUDGET_PAIRS,
    budget_work: int = BUDGET_WORK,
    within: Pattern | None = None,
) -> Compacted:
    """The Allow and Deny globs left once every provably redundant one is dropped.

    ``(∪allow) \\ (∪deny)`` is the same set of strings before and after (see the module's proof),
    whatever the budget: a smaller budget only keeps more. With ``within``, the same set of its
    strings.

    >>> kept = compact(["GET/*", "GET/orders/*"], ["GET/admin/*", "POST/x"])
    >>> kept.allow, kept.deny
    (['GET/*'], ['GET/admin/*'])
    """
    universe = _Universe(frozenset(allow) | frozenset(deny), budget_pairs, budget_work, within)
    denied = set(deny)
    kept_allow = set(allow) - denied  # an Allow that is also a Deny: all of it is denied anyway

    def result(kept_deny: set[str]) -> Compacted:
        u = universe
        return Compacted(sorted(kept_allow), sorted(kept_deny), u.pairs, u.work, u.unknown, not u.spent)

    for glob in _removal_order(kept_allow):
        blockers = [other for other in universe.neighbours(glob) if other in kept_allow or other in denied]
        if universe.spent:
            return result(denied)
        # no blocker: dropped only when it has no string at all (possible only within a pattern)
        if (blockers or within is not None) and universe.search([glob], none_of=blockers) is Outcome.NONE:
            kept_allow.discard(glob)
    touched: set[str] = set()  # the Denies that share a string with a kept Allow: only these matter
    for glob in sorted(kept_allow):
        touched.update(other for other in universe.neighbours(glob) if other in denied)
        if universe.spent:
            return result(denied)
    kept_deny = set(touched)
    for glob in _removal_order(touched):
        allows = [other for other in universe.neighbours(glob) if other in kept_allow]
        others = [other for other in universe.neighbours(glob) if other in kept_deny and other != glob]
        if universe.spent:
            break
        if universe.search([glob], any_of=allows, none_of=others) is Outcome.NONE:
            kept_deny.discard(glob)
    return result(kept_deny)
