"""Pure: a scope requirement, and the 403 a token that falls short gets (the gateway's own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scopegate_context.principal import SCOPE_TOKEN

Match = Literal["all", "any"]

# API Gateway's answer to a token without the scope: template.yaml, GatewayResponses ACCESS_DENIED
# (README "Answers to clients"). A service's re-check answers the same bytes, so a client cannot
# tell which of the two refused it; tests/services/test_refusals_agree.py fails if they drift.
INSUFFICIENT_SCOPE_STATUS = 403
INSUFFICIENT_SCOPE_CONTENT_TYPE = "application/json"
INSUFFICIENT_SCOPE_CHALLENGE = 'Bearer realm="scopegate", error="insufficient_scope"'  # RFC 6750 §3
INSUFFICIENT_SCOPE_BODY = '{"message":"Forbidden","error":"insufficient_scope"}'


@dataclass(frozen=True, slots=True)
class ScopeRequirement:
    """Scopes a route needs: ``all`` of them, or ``any`` one of them.

    Raises ``ValueError`` at construction (so when the service loads its declarations) for an
    empty list or a name that is not an RFC 6749 scope token.
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
        """In words: ``read:orders AND admin``, ``read:orders OR admin``."""
        return (" AND " if self.match == "all" else " OR ").join(self.scopes)
