"""Who calls, as the rules see it (pure).

A :class:`Caller` is what a verified token says about its caller that a rule may ask about:
its scopes today, and room for conditions on who it is (client id, organization, issuer).
Rules, policies, the policy memo's key and the tools all take one, so a new condition on the
caller is a field here and a check in :mod:`authorizer.rules`, not a new argument threaded
through every signature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    scopes: frozenset[str]
    client_id: str | None = None
    organization: str | None = None
    issuer: str | None = None

    @classmethod
    def holding(cls, scopes: Iterable[str]) -> Caller:
        """A caller known only by its scopes (the tools' decision tables, ``--scopes``)."""
        return cls(frozenset(scopes))
