"""IAM globs, matched in linear time without a regex (pure).

The one glob matcher of scopegate: rules (:mod:`authorizer.route`) and the policy evaluator
(:mod:`scopegate_tools.iam`) both match with it. Semantics are IAM's: ``*`` matches any run of
characters, ``/`` included; ``?`` exactly one character (any, ``/`` included); everything else
itself, case-sensitively; the match is whole-string.

How: the glob split on ``*`` is a list of *segments*, each of fixed length (a ``?`` is one
character). The first segment must sit at the start, the last at the end, and the middle ones in
order, without overlap, in between. Placing each middle segment at its leftmost fit is never
wrong: a fixed-length segment placed earlier leaves more room, never less, for those after it.
So no choice is ever revisited, and a match costs at most O(len(value) * len(glob)) character
comparisons, whatever the number of ``*``; a backtracking regex (one ``.*`` per ``*``) costs
O(len(value) ** stars) on a value that does not match (issue 18: 7 s for a 460-character path).

>>> compile_glob("/v?/*/export").matches("/v1/a/b/export")
True
>>> compile_glob("/v?/*/export").matches("/v12/a/export")
False
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["Glob", "compile_glob"]


class _Segment:
    """A run of a glob between two ``*``: fixed length, literal chunks at fixed offsets.

    A slotted class, not a NamedTuple: matching reads its attributes in a loop, and a slot is read
    about twice as fast. Immutable by convention: nothing sets an attribute after ``__init__``.
    """

    __slots__ = ("text", "literal", "anchor", "others")

    def __init__(
        self, text: str, literal: bool, anchor: tuple[int, str] | None, others: tuple[tuple[int, str], ...]
    ) -> None:
        self.text = text  # as in the glob, '?' included
        self.literal = literal  # no '?': matched with plain string operations
        self.anchor = anchor  # the longest literal chunk (offset, text): searched for first
        self.others = others  # the other literal chunks, checked where the anchor is

    @classmethod
    def parse(cls, text: str) -> _Segment:
        chunks = [(offset, chunk) for offset, chunk in _literal_chunks(text) if chunk]
        if not chunks:
            return cls(text, not text, None, ())
        anchor = max(chunks, key=lambda chunk: len(chunk[1]))
        others = tuple(chunk for chunk in chunks if chunk is not anchor)
        return cls(text, "?" not in text, anchor, others)

    def fits_at(self, value: str, start: int) -> bool:
        """Whether the segment matches ``value[start:start + len(text)]`` (the caller checks bounds)."""
        if self.literal:
            return value.startswith(self.text, start)
        if self.anchor is not None and not value.startswith(self.anchor[1], start + self.anchor[0]):
            return False
        for offset, chunk in self.others:
            if not value.startswith(chunk, start + offset):
                return False
        return True

    def leftmost(self, value: str, start: int, end: int) -> int:
        """The smallest ``i >= start`` where the segment fits within ``value[:end]``, or -1."""
        if self.literal:
            return value.find(self.text, start, end)
        last = end - len(self.text)
        if self.anchor is None:  # only '?': it fits wherever there is room
            return start if start <= last else -1
        offset, text = self.anchor
        while start <= last:
            found = value.find(text, start + offset, last + offset + len(text))
            if found < 0:
                return -1
            start = found - offset
            if self.fits_at(value, start):
                return start
            start += 1
        return -1


def _literal_chunks(text: str) -> list[tuple[int, str]]:
    """``text`` split on ``?``, each piece with its offset in ``text``."""
    chunks: list[tuple[int, str]] = []
    offset = 0
    for piece in text.split("?"):
        chunks.append((offset, piece))
        offset += len(piece) + 1
    return chunks


class Glob:
    """An IAM glob compiled for matching; build it with :func:`compile_glob`.

    Two are equal when their patterns are (the segments follow from the pattern). A slotted class,
    as :class:`_Segment` is; immutable by convention: nothing sets an attribute after ``__init__``.
    """

    __slots__ = ("pattern", "segments")

    def __init__(self, pattern: str, segments: tuple[_Segment, ...]) -> None:
        self.pattern = pattern
        self.segments = segments  # the pattern split on '*' (one segment: no '*')

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Glob):
            return NotImplemented
        return self.pattern == other.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def matches(self, value: str) -> bool:
        """Whether ``value`` as a whole matches the glob."""
        first, last = self.segments[0], self.segments[-1]
        if len(self.segments) == 1:
            if first.literal:
                return value == first.text
            return len(value) == len(first.text) and first.fits_at(value, 0)
        end = len(value) - len(last.text)
        if end < len(first.text) or not first.fits_at(value, 0) or not last.fits_at(value, end):
            return False
        position = len(first.text)
        for segment in self.segments[1:-1]:
            found = segment.leftmost(value, position, end)
            if found < 0:
                return False
            position = found + len(segment.text)
        return True


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> Glob:
    """The :class:`Glob` for ``pattern`` (``*`` and ``?`` are its only special characters)."""
    return Glob(pattern, tuple(_Segment.parse(text) for text in pattern.split("*")))
