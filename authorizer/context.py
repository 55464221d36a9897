"""The authorizer context: what downstream services read (pure).

API Gateway passes it to the integration as ``event["requestContext"]["authorizer"]``, beside
``principalId`` (README "What services receive"). It is a contract: keys are only ever added.
Every value is a string: API Gateway answers 500 for a context holding lists, maps or null.
"""

from __future__ import annotations

from authorizer.rules import RuleSet
from authorizer.tokens import Claims


def build_context(claims: Claims, rules: RuleSet) -> dict[str, str]:
    """The context for a verified token's ``claims`` decided by ``rules``: flat, strings only."""
    return {
        "scope": " ".join(claims.scopes),
        "client_id": claims.client_id,
        "token_profile": claims.profile,
        "rules_digest": rules.digest,
    }
