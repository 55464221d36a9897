"""A verified token as the warm container remembers it, with its answers per route.

Two parts, so that what may change is plain to see:

* :class:`VerifiedToken` is frozen all the way down: the claims, the key that verified them, the
  caller (its scopes and who it is) and the authorizer context (a read-only mapping).
* :class:`RememberedToken` is mutable on purpose: it holds one ``VerifiedToken`` and gathers, as
  calls arrive, the token's answer on each methodArn and its policy per API stage. Both maps are
  bounded here, and what they hold is frozen (:class:`RouteAnswer`, frozen policy documents).

Memory (README "Configuration", ``VERIFIED_TOKEN_CACHE_SIZE``): a remembered token costs about
2 KiB, each further answer about 0.5 KiB; with at most :data:`MAX_ROUTES_PER_TOKEN` answers, for
methodArns of up to :data:`MAX_REMEMBERED_ARN_CHARS` characters, and as many policies, the default
4,096 tokens stay within about 20 MiB even when every one of them sprays distinct paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from authorizer.caller import Caller
from authorizer.frozen_json import FrozenJson
from authorizer.jwk import VerificationKey
from authorizer.rules import RouteDecision
from authorizer.tokens import Claims

MAX_ROUTES_PER_TOKEN = 8
MAX_REMEMBERED_ARN_CHARS = 256


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature and claims were verified, and what it carries to every answer."""

    claims: Claims
    key: VerificationKey  # the key that verified it: reused only while the JWKS still holds this key
    caller: Caller
    context: Mapping[str, str]  # read-only (a MappingProxyType); each response gets its own dict
    omitted_claims: tuple[str, ...] = ()  # CONTEXT_CLAIMS left out of the context for their size


@dataclass(frozen=True, slots=True)
class RouteAnswer:
    """What a verified token gets on one methodArn: the same for as long as the token is valid."""

    route: RouteDecision
    document: FrozenJson  # the policy document, frozen (authorizer.frozen_json)


@dataclass(slots=True)
class RememberedToken:
    """A verified token and the answers it has been given so far (mutable, bounded)."""

    verified: VerifiedToken
    _answers: dict[str, RouteAnswer] = field(default_factory=dict)  # by methodArn
    _documents: dict[str, FrozenJson] = field(default_factory=dict)  # by API stage prefix

    def answer(self, method_arn: str) -> RouteAnswer | None:
        return self._answers.get(method_arn)

    def remember_answer(self, method_arn: str, answer: RouteAnswer) -> None:
        """Keep ``answer`` unless the token holds its share already or the methodArn is long."""
        if len(self._answers) < MAX_ROUTES_PER_TOKEN and len(method_arn) <= MAX_REMEMBERED_ARN_CHARS:
            self._answers[method_arn] = answer

    def document(self, api_prefix: str) -> FrozenJson | None:
        return self._documents.get(api_prefix)

    def remember_document(self, api_prefix: str, document: FrozenJson) -> None:
        """Keep the token's policy for one API stage, for at most MAX_ROUTES_PER_TOKEN stages."""
        if len(self._documents) < MAX_ROUTES_PER_TOKEN:
            self._documents[api_prefix] = document

    @property
    def answers(self) -> Mapping[str, RouteAnswer]:
        """The remembered answers by methodArn (a read-only view)."""
        return MappingProxyType(self._answers)
