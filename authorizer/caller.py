"""Who calls, as the rules see it (pure).

A :class:`Caller` is what a verified token says about its caller that a rule may ask about:
its scopes, and who it is: its client id (``azp``, or ``client_id`` in RFC 9068 tokens), its
organization (``org_id``, None when it has none) and its issuer (``iss``), which a rule's
conditions name (:mod:`authorizer.conditions`). Rules, policies, the policy memo's key
(:meth:`authorizer.rules.RuleSet.relevant`: only what the rules read) and the tools all take one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Caller(NamedTuple):
    scopes: frozenset[str]
    client_id: str | None = None
    organization: str | None = None
    issuer: str | None = None

    @classmethod
    def holding(cls, scopes: Iterable[str]) -> Caller:
        """A caller known only by its scopes (the tools' decision tables, ``--scopes``)."""
        return cls(frozenset(scopes))
