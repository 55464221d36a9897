"""API Gateway resource paths, the templates of routes: parse them and match paths to them (pure).

The one route parser of scopegate: the local gateway routes requests with it, the tools read
template.yaml's routes with it, and the authorizer reads a REQUEST event's
``requestContext.resourcePath`` with it.

A resource path is ``/`` (the root) or ``/<segment>`` repeated, each segment one of:

* a literal, e.g. ``orders`` (letters, digits and ``-._~!&'()+,;=:@%``);
* ``{name}``, a path parameter: one or more characters other than ``/``;
* ``{name+}``, a greedy parameter, last segment only: the rest of the path, one or more characters
  whose first is not ``/`` (``a``, ``a/b``, every depth).

A path matches when it is one of these strings, optionally followed by one ``/`` (API Gateway
REST is reported to route ``/hello/`` to ``/hello``; README "Per-route mode" lists this as
UNVERIFIED). Nothing else matches, in particular no empty segment (``/orders//7``) outside a
greedy parameter. The per-route policy (:mod:`authorizer.route_policy`) is exact on exactly the
paths a resource path matches, and the authorizer refuses a REQUEST event whose methodArn path
does not match its resource path.

Where several resource paths match one path, API Gateway picks the most specific, segment by
segment: a literal, then ``{name}``, then ``{name+}`` (:attr:`ResourcePath.precedence`; the
kinds are numbered in that order).

>>> parse_resource_path("/orders/{id}").match("/orders/42")
{'id': '42'}
>>> parse_resource_path("/files/{path+}").match("/files/a/b")
{'path': 'a/b'}
>>> parse_resource_path("/orders/{id}").iam_glob
'/orders/*'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "GREEDY",
    "LITERAL",
    "MAX_RESOURCE_PATH_LENGTH",
    "PARAMETER",
    "ResourcePath",
    "ResourcePathProblem",
    "Segment",
    "parse_resource_path",
]

LITERAL, PARAMETER, GREEDY = 0, 1, 2  # segment kinds, in API Gateway's order of precedence
MAX_RESOURCE_PATH_LENGTH = 1024

_NAME = r"[A-Za-z0-9._-]+"
_PARAMETER = re.compile(r"\{(" + _NAME + r")\}")
_GREEDY = re.compile(r"\{(" + _NAME + r")\+\}")
_LITERAL = re.compile(r"[A-Za-z0-9\-._~!&'()+,;=:@%]+")


class ResourcePathProblem(ValueError):
    """A string that is not a resource path; the message says what to change."""


class Segment(NamedTuple):
    """One segment: its kind and its text (a literal's text, or a parameter's name)."""

    kind: int  # LITERAL, PARAMETER or GREEDY
    text: str


class ResourcePath(NamedTuple):
    """A parsed resource path; build it with :func:`parse_resource_path`."""

    text: str  # as written, e.g. /orders/{id}
    segments: tuple[Segment, ...]  # () for the root

    @property
    def precedence(self) -> tuple[int, ...]:
        """The segment kinds: of two resource paths matching a path, the smaller tuple wins."""
        return tuple(segment.kind for segment in self.segments)

    @property
    def iam_glob(self) -> str:
        """The path as an IAM glob, each parameter a ``*``: it matches every path that matches."""
        if not self.segments:
            return "/"
        return "".join("/" + (text if kind == LITERAL else "*") for kind, text in self.segments)

    @property
    def covering_globs(self) -> tuple[str, ...]:
        """IAM globs that together match every path this resource path matches, and few others:
        :attr:`iam_glob`, and the same with a trailing ``/`` when its last segment is a literal."""
        glob = self.iam_glob
        if not self.segments or self.segments[-1].kind != LITERAL:
            return (glob,)
        return (glob, glob + "/")

    def match(self, path: str) -> dict[str, str] | None:
        """The parameters of ``path`` by name when it matches (see the module), else None."""
        if not self.segments:
            return {} if path == "/" else None
        if not path.startswith("/"):
            return None
        parameters: dict[str, str] = {}
        position = 1
        last = len(self.segments) - 1
        for index, (kind, text) in enumerate(self.segments):
            if kind == GREEDY:  # last by construction: the rest, its first character not '/'
                rest = path[position:]
                if not rest or rest[0] == "/":
                    return None
                parameters[text] = rest
                return parameters
            slash = path.find("/", position)
            end = len(path) if slash < 0 else slash
            value = path[position:end]
            if not value or (kind == LITERAL and value != text):
                return None
            if kind == PARAMETER:
                parameters[text] = value
            if index == last:  # nothing may follow but one '/'
                return parameters if end >= len(path) - 1 else None
            if slash < 0:
                return None
            position = slash + 1
        return None  # unreachable: the loop returns on the last segment

    def matches(self, path: str) -> bool:
        return self.match(path) is not None


def parse_resource_path(text: object) -> ResourcePath:
    """Parse ``text``; raise :class:`ResourcePathProblem` with the fix."""
    if not isinstance(text, str):
        raise ResourcePathProblem("a resource path must be a string such as /orders/{id}")
    return _parse(text)


@lru_cache(maxsize=1024)  # an API has few resource paths; the authorizer parses each once
def _parse(text: str) -> ResourcePath:
    if not text.startswith("/"):
        raise ResourcePathProblem(f"resource path {text!r} must start with '/'")
    if len(text) > MAX_RESOURCE_PATH_LENGTH:
        raise ResourcePathProblem(f"resource path is longer than {MAX_RESOURCE_PATH_LENGTH} characters")
    if text == "/":
        return ResourcePath(text, ())
    if text.endswith("/"):
        raise ResourcePathProblem(f"resource path {text!r} ends with '/'; remove it")
    segments: list[Segment] = []
    parts = text[1:].split("/")
    for index, part in enumerate(parts):
        segment = _segment(text, part)
        if segment.kind == GREEDY and index != len(parts) - 1:
            raise ResourcePathProblem(
                f"resource path {text!r}: greedy parameter {{{segment.text}+}} must be the last segment"
            )
        segments.append(segment)
    return ResourcePath(text, tuple(segments))


def _segment(text: str, part: str) -> Segment:
    if not part:
        raise ResourcePathProblem(f"resource path {text!r} has an empty segment ('//')")
    found = _PARAMETER.fullmatch(part)
    if found:
        return Segment(PARAMETER, found.group(1))
    found = _GREEDY.fullmatch(part)
    if found:
        return Segment(GREEDY, found.group(1))
    if "{" in part or "}" in part:
        raise ResourcePathProblem(
            f"resource path {text!r}: segment {part!r} must be a whole parameter such as {{id}} or "
            "{proxy+}, or a literal without braces"
        )
    if not _LITERAL.fullmatch(part):
        raise ResourcePathProblem(
            f"resource path {text!r}: segment {part!r} holds a character API Gateway does not allow in a "
            "resource path (letters, digits and -._~!&'()+,;=:@% are allowed)"
        )
    return Segment(LITERAL, part)
