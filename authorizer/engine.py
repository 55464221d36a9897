"""The warm-start state and the decision it makes for one event.

:class:`Engine` is the one documented holder of what survives between
invocations of a container: settings, compiled rules, the JWKS cache, the memo
of built policies and the memo of verified tokens with their answers per
methodArn (valid exactly as long as the token: every call re-checks its expiry
and its key). ``app.py`` builds one per container; tests build their own with
an injected fetcher and clocks.

The engine raises the error tree (:mod:`authorizer.errors`); mapping to
401/403/500 happens in ``app.py`` only.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from authorizer.arn import MethodArn, parse_method_arn
from authorizer.bearer import parse_bearer
from authorizer.config import Settings
from authorizer.context import build_context
from authorizer.decision_log import DecisionRecord
from authorizer.errors import BadEvent, RulesError
from authorizer.jwk import VerificationKey
from authorizer.jwks import FetchRecord, Fetcher, JwksCache, make_http_fetcher
from authorizer.lru import LruCache
from authorizer.policy import build_policy_document
from authorizer.rules import RouteDecision, RuleSet, load_rules
from authorizer.tokens import Claims, decompose_unverified_jwt, verify_jwt

# Answers remembered per verified token (clients call a few routes), for methodArns up to this
# length. A remembered token costs about 2 KiB, each further answer about 0.5 KiB, so the default
# 4,096 tokens stay within about 20 MiB even when every one of them sprays distinct paths.
MAX_ROUTES_PER_TOKEN = 8
MAX_REMEMBERED_ARN_CHARS = 256


@dataclass(frozen=True, slots=True)
class _RouteAnswer:
    """What a verified token gets on one methodArn: the same for as long as the token is valid."""

    route: RouteDecision
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _VerifiedToken:
    claims: Claims
    key: VerificationKey
    granted: frozenset[str]
    context: dict[str, str]
    routes: dict[str, _RouteAnswer] = field(default_factory=dict)  # by methodArn, bounded
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # by API stage prefix


@dataclass(slots=True)
class Engine:
    settings: Settings
    rules: RuleSet
    jwks: JwksCache
    wall_clock: Callable[[], float] = time.time
    shadow: RuleSet | None = None
    shadow_problem: str | None = None  # why SHADOW_RULES_FILE was not loaded
    policies: LruCache[tuple[frozenset[str], str], dict[str, Any]] = field(init=False)
    tokens: LruCache[bytes, _VerifiedToken] = field(init=False)

    def __post_init__(self) -> None:
        self.policies = LruCache(self.settings.policy_cache_size)
        self.tokens = LruCache(self.settings.verified_token_cache_size)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_fetch: Callable[[FetchRecord], None] | None = None,
    ) -> Engine:
        """Build the engine; invalid live rules raise, invalid shadow rules are only reported."""
        rules = load_rules(settings.rules_file)
        shadow, shadow_problem = None, None
        if settings.shadow_rules_file is not None:
            try:
                shadow = load_rules(settings.shadow_rules_file)
            except RulesError as problem:
                shadow_problem = str(problem)
        jwks = JwksCache(
            settings=settings.jwks,
            fetcher=fetcher
            or make_http_fetcher(settings.jwks.timeout_seconds, settings.jwks.max_bytes),
            clock=monotonic,
            on_fetch=on_fetch,
        )
        return cls(
            settings=settings,
            rules=rules,
            jwks=jwks,
            wall_clock=wall_clock,
            shadow=shadow,
            shadow_problem=shadow_problem,
        )

    def verify(self, token: str, record: DecisionRecord) -> _VerifiedToken:
        """Verify ``token``: its memo entry while it is valid and its key is published, else anew."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        record.token_fingerprint = digest.hex()[:12]
        now = self.wall_clock()
        remembered = self.tokens.get(digest)
        if remembered is not None:
            key, jwks_cached = self.jwks.get_key(remembered.claims.key_id)
            still_valid = now - self.settings.token.clock_skew_seconds < remembered.claims.expires_at
            if key is remembered.key and still_valid:
                record.token_cached, record.jwks_cached = True, jwks_cached
                return remembered
            self.tokens.pop(digest)
        unverified = decompose_unverified_jwt(token, self.settings.token)
        key, record.jwks_cached = self.jwks.get_key(unverified.kid)
        claims = verify_jwt(unverified, key, self.settings.token, now)
        record.token_cached = False
        verified = _VerifiedToken(claims, key, frozenset(claims.scopes), build_context(claims, self.rules))
        self.tokens.put(digest, verified)
        return verified

    @staticmethod
    def _decide_in_shadow(
        shadow: RuleSet, method: str, path: str, granted: frozenset[str], record: DecisionRecord
    ) -> None:
        """The candidate rules' decision, recorded only: it never changes the live one."""
        try:
            candidate = shadow.decide(method, path, granted)
        except Exception:  # noqa: BLE001 - a shadow fault must not touch the live decision
            record.shadow_outcome, record.shadow_reason = "error", "shadow_fault"
            return
        record.shadow_outcome = "allow" if candidate.allowed else "deny"
        record.shadow_reason = candidate.reason
        record.shadow_rule_ids = candidate.matched_ids

    def authorize(self, event: Mapping[str, Any], record: DecisionRecord) -> dict[str, Any]:
        """The authorizer response for a TOKEN event; raises the error tree.

        A verified token's answer on a methodArn (route decision, policy, context) is remembered
        with the token: a repeated call re-checks the token's expiry and key, then reuses it.
        """
        record.rules_digest = self.rules.digest
        if not isinstance(event, Mapping) or event.get("type") != "TOKEN":
            raise BadEvent("event is not a TOKEN authorizer event")
        raw_arn = event.get("methodArn")
        method_arn = parse_method_arn(raw_arn)
        record.method, record.path = method_arn.method, method_arn.path
        record.stage = method_arn.api.stage
        token = parse_bearer(event.get("authorizationToken"))
        verified = self.verify(token, record)
        answer = verified.routes.get(raw_arn)
        if answer is None:
            answer = self._answer(verified, method_arn, record)
            if len(verified.routes) < MAX_ROUTES_PER_TOKEN and len(raw_arn) <= MAX_REMEMBERED_ARN_CHARS:
                verified.routes[raw_arn] = answer
        else:
            record.policy_cached = True
        claims, route = verified.claims, answer.route
        record.principal, record.client_id = claims.subject, claims.client_id
        record.issuer = claims.issuer
        record.rule_ids = route.matched_ids
        record.missing_scopes = route.missing_scopes
        record.outcome = "allow" if route.allowed else "deny"
        record.reason = route.reason
        if self.shadow is not None:
            self._decide_in_shadow(self.shadow, method_arn.method, method_arn.path, verified.granted, record)
        return {
            "principalId": claims.subject,
            "policyDocument": answer.document,
            "context": dict(verified.context),
        }

    def _answer(self, verified: _VerifiedToken, method_arn: MethodArn, record: DecisionRecord) -> _RouteAnswer:
        """Decide ``method_arn`` for a verified token, with the token's policy for this API stage."""
        route = self.rules.decide(method_arn.method, method_arn.path, verified.granted)
        prefix = method_arn.api.prefix
        document = verified.documents.get(prefix)
        if document is None:
            document = self._policy(verified.granted, method_arn, record)
            if len(verified.documents) < MAX_ROUTES_PER_TOKEN:
                verified.documents[prefix] = document
        else:
            record.policy_cached = True
        return _RouteAnswer(route, document)

    def _policy(self, granted: frozenset[str], method_arn: MethodArn, record: DecisionRecord) -> dict[str, Any]:
        """The policy for ``granted`` on this API stage, built once per known-scope set (the memo)."""
        memo_key = (granted & self.rules.known_scopes, method_arn.api.prefix)
        document = self.policies.get(memo_key)
        record.policy_cached = document is not None
        if document is None:
            document = build_policy_document(self.rules, memo_key[0], method_arn.api)
            self.policies.put(memo_key, document)
        return document
