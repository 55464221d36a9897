"""One structured record per invocation: who was let in where, and why.

The record holds only safe values: reason codes, the verified principal,
client id, issuer and organization, the route, rule ids, missing scopes and a token fingerprint (a
short SHA-256 prefix, to correlate repeated calls). It never holds the token,
the Authorization header, the event or the claims.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from authorizer.errors import Reason

MAX_LOGGED_PATH = 256


def writable(text: str | None) -> str | None:
    """``text`` as a UTF-8 stream can write it. A methodArn path or a claim may hold an unpaired
    surrogate (JSON allows ``"\\ud800"``), which would make stdout drop the whole line; it is
    written as its escape text instead."""
    if text is None or text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")



class Outcome(StrEnum):
    """What API Gateway does with the request: the decision log's ``outcome``."""

    ALLOW = "allow"
    DENY = "deny"  # 403, by the policy
    UNAUTHORIZED = "unauthorized"  # 401
    ERROR = "error"  # 500


class DecisionRecord:
    """What one invocation decided, filled in as the decision is made (mutable)."""

    __slots__ = (
        "decision_id", "outcome", "reason", "principal", "client_id", "issuer", "organization", "method", "path",
        "stage", "rule_ids", "missing_scopes", "token_fingerprint", "jwks_cached", "policy_cached", "token_cached",
        "rules_digest", "cold_start", "latency_us", "shadow_outcome", "shadow_reason", "shadow_rule_ids",
        "context_claims_omitted", "extra",
    )

    def __init__(
        self,
        decision_id: str | None = None,
        outcome: Outcome = Outcome.ERROR,
        reason: Reason = Reason.INTERNAL_ERROR,
        principal: str | None = None,
        client_id: str | None = None,
        issuer: str | None = None,
        organization: str | None = None,
        method: str | None = None,
        path: str | None = None,
        stage: str | None = None,
        rule_ids: tuple[str, ...] = (),
        missing_scopes: tuple[str, ...] = (),
        token_fingerprint: str | None = None,
        jwks_cached: bool | None = None,
        policy_cached: bool | None = None,
        token_cached: bool | None = None,
        rules_digest: str | None = None,
        cold_start: bool = False,
        latency_us: int = 0,
        shadow_outcome: Outcome | None = None,
        shadow_reason: Reason | None = None,
        shadow_rule_ids: tuple[str, ...] = (),
        context_claims_omitted: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.decision_id = decision_id
        self.outcome = outcome
        self.reason = reason
        self.principal = principal
        self.client_id = client_id
        self.issuer = issuer
        self.organization = organization  # org_id, when the token has one
        self.method = method
        self.path = path
        self.stage = stage
        self.rule_ids = rule_ids
        self.missing_scopes = missing_scopes
        self.token_fingerprint = token_fingerprint
        self.jwks_cached = jwks_cached
        self.policy_cached = policy_cached
        self.token_cached = token_cached
        self.rules_digest = rules_digest
        self.cold_start = cold_start
        self.latency_us = latency_us
        self.shadow_outcome = shadow_outcome  # ALLOW or DENY under the candidate rules, when configured
        self.shadow_reason = shadow_reason
        self.shadow_rule_ids = shadow_rule_ids
        self.context_claims_omitted = context_claims_omitted  # names only: CONTEXT_CLAIMS over the size cap
        self.extra: dict[str, Any] = {} if extra is None else extra

    @property
    def shadow_agrees(self) -> bool:
        return self.shadow_outcome is None or self.shadow_outcome == self.outcome

    def as_log_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "decision_id": self.decision_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "principal": writable(self.principal),
            "client_id": writable(self.client_id),
            "issuer": writable(self.issuer),
            "org_id": writable(self.organization),
            "method": self.method,
            "path": writable(self.path[:MAX_LOGGED_PATH]) if self.path is not None else None,
            "stage": self.stage,
            "rule_ids": list(self.rule_ids),
            "missing_scopes": list(self.missing_scopes),
            "token_fingerprint": self.token_fingerprint,
            "jwks_cached": self.jwks_cached,
            "policy_cached": self.policy_cached,
            "token_cached": self.token_cached,
            "rules_digest": self.rules_digest,
            "cold_start": self.cold_start,
            "latency_us": self.latency_us,
        }
        if self.context_claims_omitted:
            fields["context_claims_omitted"] = list(self.context_claims_omitted)
        if self.shadow_outcome is not None:
            fields["shadow"] = {
                "outcome": self.shadow_outcome,
                "reason": self.shadow_reason,
                "rule_ids": list(self.shadow_rule_ids),
                "agrees": self.shadow_agrees,
            }
        fields.update(self.extra)
        return {key: value for key, value in fields.items() if value is not None}
