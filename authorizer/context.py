"""The authorizer context: what downstream services read (pure).

API Gateway passes it to the integration as ``event["requestContext"]["authorizer"]``, beside
``principalId`` (README "What services receive"). It is a contract: keys are only ever added.
Every value is a string: API Gateway answers 500 for a context holding lists, maps or null. A key
with nothing to say is left out (``org_id`` of a token issued for no Organization), never set to
an empty or ``"None"`` string.

Beside scopegate's own keys, the claims CONTEXT_CLAIMS names are passed as ``claim:<name>``
(the prefix keeps them apart from ours whatever they are called): a string as it is, anything
else as compact JSON. A value over CONTEXT_CLAIM_MAX_BYTES (UTF-8), or one that is not text
(a lone surrogate), is left out whole, never cut: a cut value could be a different, valid one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from authorizer.rules import RuleSet
from authorizer.tokens import Claims

CLAIM_PREFIX = "claim:"


class PassedClaims(NamedTuple):
    """The allowlisted claims of a verified token, as strings, and those left out for their size."""

    values: Mapping[str, str]
    omitted: tuple[str, ...] = ()


def passed_claims(payload: Mapping[str, Any], names: Sequence[str], max_bytes: int) -> PassedClaims:
    """Each claim of ``names`` that the VERIFIED ``payload`` holds (a JSON null counts as absent)."""
    values: dict[str, str] = {}
    omitted: list[str] = []
    for name in names:
        value = payload.get(name)
        if value is None:
            continue
        try:
            text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            size = len(text.encode("utf-8"))
        except (UnicodeEncodeError, ValueError, RecursionError):  # a lone surrogate: no service could read it
            omitted.append(name)
            continue
        if size > max_bytes:
            omitted.append(name)
            continue
        values[name] = text
    return PassedClaims(values, tuple(omitted))


def build_context(claims: Claims, rules: RuleSet, passed: Mapping[str, str] | None = None) -> dict[str, str]:
    """The context for a verified token's ``claims`` decided by ``rules``: flat, strings only."""
    context = {
        "scope": " ".join(claims.scopes),
        "client_id": claims.client_id,
        "token_profile": claims.profile,
        "rules_digest": rules.digest,
        "issuer": claims.issuer,
    }
    if claims.organization is not None:
        context["org_id"] = claims.organization
    if passed:
        context.update({CLAIM_PREFIX + name: value for name, value in passed.items()})
    return context
