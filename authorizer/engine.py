"""The warm-start state and the decision it makes for one event.

The engine answers both event types API Gateway sends a Lambda authorizer, with no setting:
a TOKEN event gets the policy for the whole API stage (:mod:`authorizer.policy`), a REQUEST
event (per-route mode, :mod:`authorizer.request_event`) the policy for its route only
(:mod:`authorizer.route_policy`). The template's ``AuthorizerMode`` parameter alone chooses
which one API Gateway sends.

:class:`Engine` is the one documented holder of what survives between
invocations of a container: settings, compiled rules, the JWKS caches (one per
trusted issuer, :mod:`authorizer.key_sets`), the memo
of built policies and the memo of verified tokens with their answers per
methodArn (:mod:`authorizer.remembered_token`). A remembered token is reused
only while its key is still published and its claims are still in force: every
reuse asks its issuer's JWKS cache for its key again and re-runs
:func:`~authorizer.tokens.check_claims_in_force`. ``app.py`` builds one engine
per container; tests build their own with an injected fetcher and clocks
(tests/unit/test_engine.py).

Nothing the memos hold can be changed by a caller: policy documents are kept
frozen (:mod:`authorizer.frozen_json`) and each response gets its own copy of
the policy and the context.

The engine raises the error tree (:mod:`authorizer.errors`); mapping to
401/403/500 happens in ``app.py`` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from authorizer.arn import MethodArn, parse_method_arn
from authorizer.bearer import parse_bearer
from authorizer.caller import Caller
from authorizer.config import Settings
from authorizer.context import build_context, passed_claims
from authorizer.decision_log import DecisionRecord, Outcome
from authorizer.errors import BadEvent, Reason, RulesError
from authorizer.fingerprint import fingerprint_of, sha256_digest
from authorizer.frozen_json import FrozenJson, freeze_json, thaw_json
from authorizer.issuers import configured_issuers
from authorizer.jwks import FetchRecord, Fetcher, make_http_fetcher
from authorizer.key_sets import KeySets
from authorizer.lru import LruCache
from authorizer.policy import build_policy_document
from authorizer.remembered_token import RememberedToken, RouteAnswer, VerifiedToken
from authorizer.request_event import RequestRoute, authorization_value, read_request_route
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import RuleSet, load_rules
from authorizer.tokens import Claims, check_claims_in_force, decompose_unverified_jwt, verify_jwt


def caller_of(claims: Claims) -> Caller:
    """The caller a verified token names, as the rules see it."""
    return Caller(
        frozenset(claims.scopes), client_id=claims.client_id, organization=claims.organization, issuer=claims.issuer
    )


class Engine:
    """What survives between invocations of a container, and the decisions made with it."""

    __slots__ = ("settings", "rules", "jwks", "wall_clock", "shadow", "shadow_problem", "policies", "tokens")

    def __init__(
        self,
        settings: Settings,
        rules: RuleSet,
        jwks: KeySets,
        wall_clock: Callable[[], float] = time.time,
        shadow: RuleSet | None = None,
        shadow_problem: str | None = None,
    ) -> None:
        self.settings = settings
        self.rules = rules
        self.jwks = jwks  # the JWKS cache of each trusted issuer
        self.wall_clock = wall_clock
        self.shadow = shadow
        self.shadow_problem = shadow_problem  # why SHADOW_RULES_FILE was not loaded
        # by (relevant caller, API stage prefix, route key): the route key is None for a TOKEN event's
        # whole-API policy, "<VERB> <resource path>" for a REQUEST event's per-route policy
        self.policies: LruCache[tuple[Caller, str, str | None], FrozenJson] = LruCache(settings.policy_cache_size)
        # by the token's SHA-256
        self.tokens: LruCache[bytes, RememberedToken] = LruCache(settings.verified_token_cache_size)

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
        """Build the engine; invalid live rules or issuers raise, invalid shadow rules are only reported."""
        rules = load_rules(settings.rules_file)
        issuers = configured_issuers(settings)
        shadow, shadow_problem = None, None
        if settings.shadow_rules_file is not None:
            try:
                shadow = load_rules(settings.shadow_rules_file)
            except RulesError as problem:
                shadow_problem = str(problem)
        jwks = KeySets.build(
            issuers,
            settings.token,
            settings.jwks,
            fetcher or make_http_fetcher(settings.jwks.timeout_seconds, settings.jwks.max_bytes),
            monotonic,
            on_fetch,
        )
        return cls(
            settings=settings,
            rules=rules,
            jwks=jwks,
            wall_clock=wall_clock,
            shadow=shadow,
            shadow_problem=shadow_problem,
        )

    def verify(self, token: str, record: DecisionRecord) -> RememberedToken:
        """Verify ``token``: its memo entry while still valid (see :meth:`_recall`), else anew."""
        digest = sha256_digest(token)
        record.token_fingerprint = fingerprint_of(digest)
        now = self.wall_clock()
        remembered = self._recall(digest, now, record)
        if remembered is not None:
            return remembered
        unverified = decompose_unverified_jwt(token, self.jwks.shape)
        issuer = self.jwks.for_token(unverified)  # an untrusted iss is refused here, before any key lookup
        key, record.jwks_cached = issuer.keys.get_key(unverified.kid)
        claims = verify_jwt(unverified, key, issuer.settings, now)
        record.token_cached = False
        settings = self.settings
        passed = passed_claims(unverified.payload, settings.context_claims, settings.context_claim_max_bytes)
        context = MappingProxyType(build_context(claims, self.rules, passed.values))
        remembered = RememberedToken(VerifiedToken(claims, key, caller_of(claims), context, passed.omitted))
        self.tokens.put(digest, remembered)
        return remembered

    def _recall(self, digest: bytes, now: float, record: DecisionRecord) -> RememberedToken | None:
        """The remembered token, after the checks whose answers may have changed since it was verified.

        Its key must still be the one its issuer's JWKS cache serves for its kid (a scheduled refresh that
        dropped the kid raises UnknownKid; a kid now naming other key material means verify
        anew), and :func:`check_claims_in_force` must pass at ``now``. An entry that fails is
        forgotten.
        """
        remembered = self.tokens.get(digest)
        if remembered is None:
            return None
        verified = remembered.verified
        try:
            key, record.jwks_cached = self.jwks.of(verified.claims.issuer).keys.get_key(verified.claims.key_id)
            if key is not verified.key:
                self.tokens.pop(digest)
                return None
            check_claims_in_force(verified.claims, self.settings.token, now)
        except Exception:  # refused (or the keys are unavailable): not remembered any longer
            self.tokens.pop(digest)
            raise
        record.token_cached = True
        return remembered

    @staticmethod
    def _decide_in_shadow(
        shadow: RuleSet, method: str, path: str, caller: Caller, record: DecisionRecord
    ) -> None:
        """The candidate rules' decision, recorded only: it never changes the live one."""
        try:
            candidate = shadow.decide(method, path, caller)
        except Exception:  # noqa: BLE001 - a shadow fault must not touch the live decision
            record.shadow_outcome, record.shadow_reason = Outcome.ERROR, Reason.SHADOW_FAULT
            return
        record.shadow_outcome = Outcome.ALLOW if candidate.allowed else Outcome.DENY
        record.shadow_reason = candidate.reason
        record.shadow_rule_ids = candidate.matched_ids

    def authorize(self, event: Mapping[str, Any], record: DecisionRecord) -> dict[str, Any]:
        """The authorizer response for a TOKEN or a REQUEST event; raises the error tree.

        Checks in a fixed order: the event's type, its methodArn, for a REQUEST event its route
        (:func:`read_request_route`), then the token. A verified token's answer on a methodArn
        (and route) is remembered with the token: a repeated call re-checks the token's key and
        claims, then reuses it. The response is the caller's own: changing it changes no later
        response.
        """
        record.rules_digest = self.rules.digest
        kind = event.get("type") if isinstance(event, Mapping) else None
        if kind not in ("TOKEN", "REQUEST"):
            raise BadEvent("event is neither a TOKEN nor a REQUEST authorizer event")
        method_arn = parse_method_arn(event.get("methodArn"))
        raw_arn = str(event["methodArn"])  # parsed above: a string
        record.method, record.path = method_arn.method, method_arn.path
        record.stage = method_arn.api.stage
        route: RequestRoute | None = None
        if kind == "TOKEN":
            header = event.get("authorizationToken")
        else:
            route = read_request_route(event, method_arn)
            header = authorization_value(event)
        token = parse_bearer(header)
        remembered = self.verify(token, record)
        verified = remembered.verified
        answer_key = (raw_arn, _route_key(route))
        answer = remembered.answer(answer_key)
        if answer is None:
            answer = self._answer(remembered, method_arn, route, record)
            remembered.remember_answer(answer_key, answer)
        else:
            record.policy_cached = True
        claims, decision = verified.claims, answer.route
        record.principal, record.client_id = claims.subject, claims.client_id
        record.issuer, record.organization = claims.issuer, claims.organization
        record.context_claims_omitted = verified.omitted_claims
        record.rule_ids = decision.matched_ids
        record.missing_scopes = decision.missing_scopes
        record.outcome = Outcome.ALLOW if decision.allowed else Outcome.DENY
        record.reason = decision.reason
        if self.shadow is not None:
            self._decide_in_shadow(self.shadow, method_arn.method, method_arn.path, verified.caller, record)
        return {
            "principalId": claims.subject,
            "policyDocument": thaw_json(answer.document),
            "context": dict(verified.context),
        }

    def _answer(
        self, remembered: RememberedToken, method_arn: MethodArn, route: RequestRoute | None, record: DecisionRecord
    ) -> RouteAnswer:
        """Decide ``method_arn`` for a verified token, with the token's policy for this API stage
        (a TOKEN event) or for this route (a REQUEST event)."""
        caller = remembered.verified.caller
        decision = self.rules.decide(method_arn.method, method_arn.path, caller)
        document_key = (method_arn.api.prefix, _route_key(route))
        document = remembered.document(document_key)
        if document is None:
            document = self._policy(caller, method_arn, route, record)
            remembered.remember_document(document_key, document)
        else:
            record.policy_cached = True
        return RouteAnswer(decision, document)

    def _policy(
        self, caller: Caller, method_arn: MethodArn, route: RequestRoute | None, record: DecisionRecord
    ) -> FrozenJson:
        """The policy for ``caller`` on this API stage (or route), built once per relevant caller
        (the memo)."""
        relevant = self.rules.relevant(caller)
        memo_key = (relevant, method_arn.api.prefix, _route_key(route))
        document = self.policies.get(memo_key)
        record.policy_cached = document is not None
        if document is None:
            if route is None:
                built = build_policy_document(self.rules, relevant, method_arn.api)
            else:
                built = build_route_policy_document(self.rules, relevant, method_arn.api, route.method, route.resource)
            document = freeze_json(built)
            self.policies.put(memo_key, document)
        return document


def _route_key(route: RequestRoute | None) -> str | None:
    """``"GET /orders/{id}"`` for a REQUEST event's route (neither part holds a space), else None."""
    return None if route is None else f"{route.method} {route.resource.text}"
