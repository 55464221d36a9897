"""Pure: the caller that scopegate authorized, read from an API Gateway REST proxy event.

API Gateway hands the authorizer's ``context`` to a proxy integration as
``event["requestContext"]["authorizer"]``, every value stringified, plus
``principalId`` (a string) and ``integrationLatency`` (a number)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
scopegate's authorizer puts ``scope`` (space-separated, ``""`` when none),
``client_id``, ``token_profile``, ``rules_digest`` and ``issuer`` there, ``org_id``
when the token was issued for an Organization, and ``claim:<name>`` for each
claim its CONTEXT_CLAIMS setting passes (a string; JSON for other values).

A route deployed without the authorizer has no such context (no ``authorizer``
key, or Cognito's ``{"claims": null, "scopes": null}``): that is an
:class:`AuthorizerContextError`, never a ``KeyError`` and never an anonymous
principal. Nothing here parses a JWT: the authorizer has verified the token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

CLAIM_PREFIX = "claim:"  # the authorizer's prefix for the claims it passes (authorizer/context.py)
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by one space.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")


class AuthorizerContextError(Exception):
    """The event carries no usable scopegate context; the request must fail closed.

    ``reason`` is a stable code that is safe to log; the message names keys and
    types only, never values.
    """

    reason = "authorizer_context_error"


class MissingAuthorizerContext(AuthorizerContextError):
    """No authorizer context at all: the route is probably deployed without the authorizer."""

    reason = "missing_authorizer_context"


class MalformedAuthorizerContext(AuthorizerContextError):
    """An authorizer context is there, but not the shape scopegate's authorizer produces."""

    reason = "malformed_authorizer_context"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authorized caller of one request.

    Attributes
    ----------
    principal_id : str
        The token's ``sub``, e.g. ``my-client@clients``.
    client_id : str
        The OAuth client (Auth0 ``azp`` or RFC 9068 ``client_id``); record it for audit.
    scopes : frozenset[str]
        The granted scopes, parsed from the space-separated ``scope`` string.
    token_profile : str | None
        ``auth0`` or ``rfc9068``; ``None`` if the authorizer did not say.
    rules_digest : str | None
        Digest of the rules file that allowed the request; ``None`` if absent.
    issuer : str | None
        The token's ``iss``: which trusted issuer (tenant, custom domain) issued it.
    org_id : str | None
        The Auth0 Organization the token was issued for; ``None`` when it was issued for none.
    claims : Mapping[str, str]
        The claims the authorizer passes (its CONTEXT_CLAIMS), by claim name: a string claim as
        it is, any other value as JSON text (``json.loads`` it). Read-only; empty when none.
    context : Mapping[str, Any]
        The raw ``requestContext.authorizer`` mapping (read-only copy), extra keys included.
    """

    principal_id: str
    client_id: str
    scopes: frozenset[str]
    token_profile: str | None = None
    rules_digest: str | None = None
    issuer: str | None = None
    org_id: str | None = None
    claims: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False, hash=False)
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def has_scopes(self, *required: str) -> bool:
        """True when every one of ``required`` was granted."""
        return frozenset(required) <= self.scopes

    def has_any_scope(self, *alternatives: str) -> bool:
        """True when at least one of ``alternatives`` was granted."""
        return not self.scopes.isdisjoint(alternatives)

    def log_fields(self) -> dict[str, Any]:
        """Who is calling, for a log line (no token, no secret)."""
        return {
            "principal_id": self.principal_id,
            "client_id": self.client_id,
            "scopes": sorted(self.scopes),
            "token_profile": self.token_profile,
            "rules_digest": self.rules_digest,
            "issuer": self.issuer,
            "org_id": self.org_id,
        }


def parse_scope(value: str) -> frozenset[str]:
    """Scopes of a space-separated ``scope`` string; ``""`` means none.

    Raises
    ------
    MalformedAuthorizerContext
        For anything but RFC 6749 scope tokens separated by single spaces.
    """
    if value == "":
        return frozenset()
    tokens = value.split(" ")
    if not all(SCOPE_TOKEN.fullmatch(token) for token in tokens):
        raise MalformedAuthorizerContext("'scope' is not a list of scope tokens separated by single spaces")
    return frozenset(tokens)


def _required_string(context: Mapping[str, Any], key: str, *, allow_empty: bool = False) -> str:
    if key not in context:
        raise MalformedAuthorizerContext(f"the authorizer context has no '{key}'")
    value = context[key]
    if not isinstance(value, str):
        raise MalformedAuthorizerContext(f"'{key}' is a {type(value).__name__}, not a string")
    if not value and not allow_empty:
        raise MalformedAuthorizerContext(f"'{key}' is empty")
    return value


def _optional_string(context: Mapping[str, Any], key: str) -> str | None:
    value = context.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedAuthorizerContext(f"'{key}' is a {type(value).__name__}, not a string")
    return value


def _passed_claims(context: Mapping[str, Any]) -> Mapping[str, str]:
    claims: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(key, str) and key.startswith(CLAIM_PREFIX):
            if not isinstance(value, str):
                raise MalformedAuthorizerContext(f"a passed claim is a {type(value).__name__}, not a string")
            claims[key[len(CLAIM_PREFIX):]] = value
    return MappingProxyType(claims)


def principal_from_event(event: Mapping[str, Any]) -> Principal:
    """The :class:`Principal` of a REST proxy event.

    Parameters
    ----------
    event : Mapping[str, Any]
        The raw Lambda proxy event (``app.current_event.raw_event`` under Powertools).

    Returns
    -------
    Principal

    Raises
    ------
    MissingAuthorizerContext
        No ``requestContext.authorizer`` with a ``principalId``.
    MalformedAuthorizerContext
        ``principalId``, ``client_id`` or ``scope`` missing, not strings, empty
        (``scope`` may be ``""``) or not scope tokens; ``token_profile``,
        ``rules_digest``, ``issuer`` or a ``claim:`` key present but not strings;
        ``org_id`` present but not a non-empty string.

    Examples
    --------
    >>> event = {"requestContext": {"authorizer": {
    ...     "principalId": "abc@clients", "scope": "read:orders admin", "client_id": "abc",
    ...     "token_profile": "auth0", "rules_digest": "0123456789ab", "integrationLatency": 0}}}
    >>> sorted(principal_from_event(event).scopes)
    ['admin', 'read:orders']
    """
    request_context = event.get("requestContext") if isinstance(event, Mapping) else None
    if not isinstance(request_context, Mapping):
        raise MissingAuthorizerContext("the event has no requestContext")
    context = request_context.get("authorizer")
    if context is None:
        raise MissingAuthorizerContext("requestContext has no authorizer; is the route deployed without it?")
    if not isinstance(context, Mapping):
        raise MalformedAuthorizerContext(f"requestContext.authorizer is a {type(context).__name__}, not an object")
    if context.get("principalId") is None:
        raise MissingAuthorizerContext("requestContext.authorizer has no principalId; not a Lambda authorizer's context")
    principal_id = _required_string(context, "principalId")
    client_id = _required_string(context, "client_id")
    scopes = parse_scope(_required_string(context, "scope", allow_empty=True))
    return Principal(
        principal_id=principal_id,
        client_id=client_id,
        scopes=scopes,
        token_profile=_optional_string(context, "token_profile"),
        rules_digest=_optional_string(context, "rules_digest"),
        issuer=_optional_string(context, "issuer"),
        org_id=_required_string(context, "org_id") if "org_id" in context else None,
        claims=_passed_claims(context),
        context=MappingProxyType(dict(context)),
    )
