"""Route patterns: ``METHOD PATH`` as written in rules.yaml (pure).

Semantics are execute-api's IAM resource matching, so that a rule and the
policy resource built from it agree on every request:

* METHOD is one of :data:`HTTP_METHODS` or ``*`` (every method; expanded to
  each verb in policies, because a ``*`` in the verb slot of an ARN would also
  cross ``/`` into other paths);
* in PATH, ``*`` matches any run of characters, ``/`` included, and ``?``
  exactly one character; ``{name}`` and ``{name+}`` (template.yaml's path
  parameters) mean ``*``; everything else is literal and case-sensitive;
* matching is whole-string: ``/orders/*`` matches ``/orders/1/items`` but not
  ``/orders``.

Paths are matched by :mod:`authorizer.glob_pattern`, in time linear in the path.
"""

from __future__ import annotations

import re

from authorizer.glob_pattern import Glob, compile_glob

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_PATH_LENGTH = 384  # leaves room for the ARN prefix within 512 characters

_PARAM = re.compile(r"\{[A-Za-z0-9._-]+\+?\}")
# RFC 3986 pchar minus '$' (IAM policy variables), plus '/', '*', '?'
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!&'()+,;=:@%/*?]*")


class RouteProblem(ValueError):
    """A route string that is not ``METHOD /path``; the message says what to change."""


class RoutePattern:
    """A parsed route; build it with :func:`parse_route`. Immutable by convention: nothing sets an
    attribute after ``__init__``. Two are equal when method, path and pattern are (``glob``
    follows from ``pattern``)."""

    __slots__ = ("method", "path", "pattern", "glob")

    def __init__(self, method: str, path: str, pattern: str) -> None:
        self.method = method  # a verb or "*"
        self.path = path  # as written
        self.pattern = pattern  # IAM form: parameters replaced by "*"
        self.glob: Glob = compile_glob(pattern)  # the pattern, compiled to match

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RoutePattern):
            return NotImplemented
        return (self.method, self.path, self.pattern) == (other.method, other.path, other.pattern)

    def __hash__(self) -> int:
        return hash((self.method, self.path, self.pattern))

    @property
    def methods(self) -> tuple[str, ...]:
        return HTTP_METHODS if self.method == "*" else (self.method,)

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def key(self) -> tuple[str, str]:
        """What makes two routes the same pattern (``{id}`` equals ``*``)."""
        return (self.method, self.pattern)

    def matches(self, method: str, path: str) -> bool:
        # "*" means the seven verbs (as in the policy, which expands it), not any string
        if method != self.method and (self.method != "*" or method not in HTTP_METHODS):
            return False
        return self.glob.matches(path)

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern


def parse_route(text: object) -> RoutePattern:
    """Parse ``"GET /orders/{id}"``; raise :class:`RouteProblem` with a fix."""
    if not isinstance(text, str):
        raise RouteProblem("route must be a string like 'GET /orders/*'")
    fields = text.split()
    if len(fields) != 2:
        raise RouteProblem(f"route {text!r} must be 'METHOD /path', e.g. 'GET /orders/*'")
    method, path = fields
    if method != "*" and method not in HTTP_METHODS:
        hint = " (use upper case)" if method.upper() in HTTP_METHODS else ""
        if method.upper() == "ANY":
            hint = " (use * for every method)"
        raise RouteProblem(
            f"route {text!r}: method {method!r} is not one of {', '.join(HTTP_METHODS)} or *{hint}"
        )
    if not path.startswith("/"):
        raise RouteProblem(f"route {text!r}: the path must start with '/'")
    if len(path) > MAX_PATH_LENGTH:
        raise RouteProblem(f"route {text!r}: the path is longer than {MAX_PATH_LENGTH} characters")
    pattern = _PARAM.sub("*", path)
    if "{" in pattern or "}" in pattern:
        raise RouteProblem(
            f"route {text!r}: braces must form a whole parameter such as {{id}} or {{proxy+}}"
        )
    if not _PATH_CHARS.fullmatch(pattern):
        raise RouteProblem(
            f"route {text!r}: the path holds a character that is not allowed "
            "(spaces, '$', quotes, '#', '<', '>', '\\', '^', '`', '|' are not)"
        )
    return RoutePattern(method=method, path=path, pattern=pattern)
