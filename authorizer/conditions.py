"""Conditions on who calls, which a rule may add to its scope requirement (pure).

A rule may list ``clients`` (the token's ``azp``, or ``client_id`` in RFC 9068 tokens), ``orgs``
(its ``org_id``) and ``issuers`` (its ``iss``). A caller *meets* a rule's conditions when, for
each list the rule has, its value is one of the list; a token without ``org_id`` meets no
``orgs`` list. The lists are ANDed with each other and with the rule's scope requirement; what a
deny rule does with them is in :meth:`authorizer.rules.Rule.satisfied_by`.

Only membership in these lists is ever asked, so a caller whose client (org, issuer) no rule names
is told apart from no other such caller: :meth:`Conditions.named` of the whole rule set keeps
only the values some rule names, which is what the policy memo's key holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from authorizer.caller import Caller

CONDITION_KEYS = ("clients", "orgs", "issuers")
WHAT = {"clients": "client", "orgs": "org", "issuers": "issuer"}  # the singular, in messages
# Printable ASCII without spaces: client ids, org ids and issuer URLs are; matched whole, no backtracking.
CONDITION_VALUE = re.compile(r"[\x21-\x7E]{1,256}")


class Conditions(NamedTuple):
    """The callers a rule is about; an empty list sets no condition."""

    clients: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.clients or self.orgs or self.issuers)

    def met_by(self, caller: Caller) -> bool:
        """Whether the caller is one these conditions name (every caller, when there are none)."""
        return not self.unmet_by(caller)

    def unmet_by(self, caller: Caller) -> tuple[str, ...]:
        """The keys (``clients``, ``orgs``, ``issuers``) whose list the caller is not in."""
        unmet = []
        if self.clients and caller.client_id not in self.clients:
            unmet.append("clients")
        if self.orgs and caller.organization not in self.orgs:
            unmet.append("orgs")
        if self.issuers and caller.issuer not in self.issuers:
            unmet.append("issuers")
        return tuple(unmet)

    def values(self, key: str) -> frozenset[str]:
        found: frozenset[str] = getattr(self, key)
        return found

    @property
    def text(self) -> str:
        """In words: ``client billing-job AND org in [org_a, org_b]`` ('' when none)."""
        parts = []
        for key in CONDITION_KEYS:
            values = sorted(self.values(key))
            if len(values) == 1:
                parts.append(f"{WHAT[key]} {values[0]}")
            elif values:
                parts.append(f"{WHAT[key]} in [{', '.join(values)}]")
        return " AND ".join(parts)

    @classmethod
    def union(cls, many: Iterable[Conditions]) -> Conditions:
        """Every value any of ``many`` names, per key."""
        many = tuple(many)
        return cls(
            frozenset().union(*(c.clients for c in many)),
            frozenset().union(*(c.orgs for c in many)),
            frozenset().union(*(c.issuers for c in many)),
        )

    def named(self, caller: Caller) -> Caller:
        """``caller`` with each client, org or issuer these do not name set to None.

        For a union of every rule's conditions (:meth:`union`), every rule decides the result
        exactly as it decides ``caller``: an unnamed value is in no list, and neither is None.
        """
        return Caller(
            caller.scopes,
            caller.client_id if caller.client_id in self.clients else None,
            caller.organization if caller.organization in self.orgs else None,
            caller.issuer if caller.issuer in self.issuers else None,
        )


def condition_problem(raw: object, key: str) -> str | None:
    """Why ``raw`` cannot be the list of a condition ``key``, or None if it can."""
    what = WHAT[key]
    if isinstance(raw, str):
        return f"'{key}' must be a list, e.g. {key}: [{raw}]"
    if not isinstance(raw, list) or not raw:
        return f"'{key}' must be a non-empty list of {what} values"
    for item in raw:
        if not isinstance(item, str) or not CONDITION_VALUE.fullmatch(item):
            return (
                f"'{key}' holds {item!r}, which is not a {what} value (1-256 printable characters "
                "without spaces; quote it if YAML reads it as a number)"
            )
    if len(set(raw)) != len(raw):
        return f"'{key}' lists {'an' if what[0] in 'aeiou' else 'a'} {what} twice; list it once"
    return None
