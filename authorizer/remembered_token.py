"""A verified token as the warm container remembers it, with its answers per route.

Two parts, so that what may change is plain to see:

* :class:`VerifiedToken` is never changed once built, all the way down: the claims, the key that
  verified them, the caller (its scopes and who it is) and the authorizer context (a read-only
  mapping). The claims, the token and its answers are slotted classes that nothing assigns to
  after ``__init__`` (immutable by convention: a NamedTuple would enforce it, but its fields read
  at about half the speed, and these are read on every decision).
* :class:`RememberedToken` is mutable on purpose: it holds one ``VerifiedToken`` and gathers, as
  calls arrive, the token's answer on each methodArn and its policy per API stage (per route, for
  REQUEST events). Both maps are
  bounded here, and what they hold is never changed (:class:`RouteAnswer`, frozen policy documents).

Memory (README "Configuration", ``VERIFIED_TOKEN_CACHE_SIZE``): a remembered token costs about
2 KiB, each further answer about 0.5 KiB; with at most :data:`MAX_ROUTES_PER_TOKEN` answers, for
methodArns of up to :data:`MAX_REMEMBERED_ARN_CHARS` characters, and as many policies, the default
4,096 tokens stay within about 20 MiB even when every one of them sprays distinct paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from authorizer.caller import Caller
from authorizer.frozen_json import FrozenJson
from authorizer.jwk import VerificationKey
from authorizer.rules import RouteDecision
from authorizer.tokens import Claims

MAX_ROUTES_PER_TOKEN = 8
MAX_REMEMBERED_ARN_CHARS = 256

# A route key is "<VERB> <resource path>" for a REQUEST event's route, None for a TOKEN event.
AnswerKey = tuple[str, str | None]  # (methodArn, route key): the answer to one call
DocumentKey = tuple[str, str | None]  # (API stage prefix, route key): the policy it carries


class VerifiedToken:
    """A token whose signature and claims were verified, and what it carries to every answer.

    Never changed once built (immutable by convention, see the module's docstring).
    """

    __slots__ = ("claims", "key", "caller", "context", "omitted_claims")

    def __init__(
        self,
        claims: Claims,
        key: VerificationKey,
        caller: Caller,
        context: Mapping[str, str],
        omitted_claims: tuple[str, ...] = (),
    ) -> None:
        self.claims = claims
        self.key = key  # the key that verified it: reused only while the JWKS still holds this key
        self.caller = caller
        self.context = context  # read-only (a MappingProxyType); each response gets its own dict
        self.omitted_claims = omitted_claims  # CONTEXT_CLAIMS left out of the context for their size


class RouteAnswer:
    """What a verified token gets on one methodArn: the same for as long as the token is valid.

    Never changed once built (immutable by convention, see the module's docstring).
    """

    __slots__ = ("route", "document")

    def __init__(self, route: RouteDecision, document: FrozenJson) -> None:
        self.route = route
        self.document = document  # the policy document, frozen (authorizer.frozen_json)


class RememberedToken:
    """A verified token and the answers it has been given so far (mutable, bounded)."""

    __slots__ = ("verified", "_answers", "_documents")

    def __init__(self, verified: VerifiedToken) -> None:
        self.verified = verified
        self._answers: dict[AnswerKey, RouteAnswer] = {}
        self._documents: dict[DocumentKey, FrozenJson] = {}

    def answer(self, key: AnswerKey) -> RouteAnswer | None:
        return self._answers.get(key)

    def remember_answer(self, key: AnswerKey, answer: RouteAnswer) -> None:
        """Keep ``answer`` unless the token holds its share already or the methodArn is long."""
        method_arn, route = key
        long = len(method_arn) + len(route or "") > MAX_REMEMBERED_ARN_CHARS
        if len(self._answers) < MAX_ROUTES_PER_TOKEN and not long:
            self._answers[key] = answer

    def document(self, key: DocumentKey) -> FrozenJson | None:
        return self._documents.get(key)

    def remember_document(self, key: DocumentKey, document: FrozenJson) -> None:
        """Keep the token's policy for one API stage (or route), for at most MAX_ROUTES_PER_TOKEN."""
        if len(self._documents) < MAX_ROUTES_PER_TOKEN:
            self._documents[key] = document

    @property
    def answers(self) -> Mapping[AnswerKey, RouteAnswer]:
        """The remembered answers by methodArn and route (a read-only view)."""
        return MappingProxyType(self._answers)
