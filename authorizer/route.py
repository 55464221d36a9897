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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_PATH_LENGTH = 384  # leaves room for the ARN prefix within 512 characters

_PARAM = re.compile(r"\{[A-Za-z0-9._-]+\+?\}")
# RFC 3986 pchar minus '$' (IAM policy variables), plus '/', '*', '?'
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!&'()+,;=:@%/*?]*")


class RouteProblem(ValueError):
    """A route string that is not ``METHOD /path``; the message says what to change."""


@dataclass(frozen=True, slots=True)
class RoutePattern:
    method: str  # a verb or "*"
    path: str  # as written
    pattern: str  # IAM form: parameters replaced by "*"
    # the pattern split on "*" when it has no "?" (matched without a regex), else None
    star_parts: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = None if "?" in self.pattern else tuple(self.pattern.split("*"))
        object.__setattr__(self, "star_parts", parts)

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled_glob(self.pattern)

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
        if self.star_parts is None:
            return bool(compiled_glob(self.pattern).fullmatch(path))
        return star_glob_matches(self.star_parts, path)

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern


def star_glob_matches(parts: tuple[str, ...], value: str) -> bool:
    """Whole-string match of a glob whose only wildcard is ``*``, given as ``pattern.split("*")``.

    Same answer as :func:`glob_to_regex` for such a pattern, without a regex: the first part is a
    prefix, the last a suffix, and the middle parts occur in order, leftmost first, in between
    (taking each leftmost occurrence leaves the most room for the rest, so it never misses a match).
    """
    if len(parts) == 1:
        return value == parts[0]
    first, last = parts[0], parts[-1]
    if len(value) < len(first) + len(last) or not value.startswith(first) or not value.endswith(last):
        return False
    position, end = len(first), len(value) - len(last)
    for part in parts[1:-1]:
        found = value.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


@lru_cache(maxsize=4096)
def compiled_glob(pattern: str) -> re.Pattern[str]:
    """:func:`glob_to_regex`, compiled once per pattern (only patterns with ``?`` need it to match)."""
    return glob_to_regex(pattern)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """IAM glob to regex: ``*`` any run (``/`` included), ``?`` one character."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


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
