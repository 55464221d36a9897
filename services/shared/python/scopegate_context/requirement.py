"""Pure: a route's scope requirement and the RFC 6750 answer when a token falls short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from scopegate_context.principal import SCOPE_TOKEN

Match = Literal["all", "any"]


@dataclass(frozen=True, slots=True)
class ScopeRequirement:
    """Scopes a route needs: ``all`` of them, or ``any`` one of them.

    Raises ``ValueError`` at construction (so at import time of the service) for
    an empty list or a name that is not an RFC 6749 scope token; this also keeps
    quotes and backslashes out of the ``WWW-Authenticate`` header.
    """

    scopes: tuple[str, ...]
    match: Match

    def __post_init__(self) -> None:
        if not self.scopes:
            raise ValueError("a scope requirement needs at least one scope")
        for scope in self.scopes:
            if not isinstance(scope, str) or not SCOPE_TOKEN.fullmatch(scope):
                raise ValueError(f"{scope!r} is not a scope token (RFC 6749 section 3.3)")
        if self.match not in ("all", "any"):
            raise ValueError(f"match must be 'all' or 'any', not {self.match!r}")

    def satisfied_by(self, granted: frozenset[str]) -> bool:
        if self.match == "all":
            return set(self.scopes) <= granted
        return not granted.isdisjoint(self.scopes)

    @property
    def scope_text(self) -> str:
        """The scopes, space-separated, in the order written."""
        return " ".join(self.scopes)

    def describe(self) -> str:
        if self.match == "all" or len(self.scopes) == 1:
            return f"this route needs the scope(s): {self.scope_text}"
        return f"this route needs one of the scopes: {self.scope_text}"


def www_authenticate(requirement: ScopeRequirement) -> str:
    """The RFC 6750 §3 challenge for a token that lacks the requirement's scopes."""
    return f'Bearer error="insufficient_scope", scope="{requirement.scope_text}"'


def insufficient_scope_body(requirement: ScopeRequirement) -> dict[str, Any]:
    """The JSON body of the 403 (Powertools' error shape plus the RFC 6750 error code)."""
    return {
        "statusCode": 403,
        "error": "insufficient_scope",
        "message": requirement.describe(),
        "required_scopes": list(requirement.scopes),
        "match": requirement.match,
    }
