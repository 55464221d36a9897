"""The one error tree of the authorizer.

Every failure is one of three kinds, and ``app.py`` maps each kind to an
API Gateway outcome in one place:

* :class:`InvalidToken`   -> 401 (the handler raises ``Exception("Unauthorized")``)
* :class:`AccessDenied`   -> 403 (never raised to API Gateway: the policy denies)
* :class:`AuthorizerFault` -> 500 (any other exception reaches API Gateway)

Each class carries a stable, low-cardinality ``reason`` that is safe to log: a
:class:`Reason` member, the one list of every reason code (the decision log's
``reason`` field, the metrics' ``reason`` and ``result`` dimensions). Messages never
contain a token, a claim value from an unverified token, or a header value; callers
test types and reasons, never message text.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Reason(StrEnum):
    """Every reason code. A member is its code string (``Reason.ALLOWED == "allowed"``), so logs,
    metrics and JSON carry the plain code; code branches on members and types, never on text."""

    # decisions on a valid token (allow, or 403 by policy)
    ALLOWED = "allowed"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    NO_MATCHING_RULE = "no_matching_rule"
    DENIED_BY_RULE = "denied_by_rule"
    CALLER_NOT_ALLOWED = "caller_not_allowed"  # a rule names other clients, orgs or issuers
    ACCESS_DENIED = "access_denied"
    # 401: the token
    INVALID_TOKEN = "invalid_token"
    MISSING_TOKEN = "missing_token"
    MALFORMED_TOKEN = "malformed_token"
    TOKEN_TOO_LARGE = "token_too_large"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    ALG_KEY_MISMATCH = "alg_key_mismatch"
    FORBIDDEN_HEADER = "forbidden_header"
    WRONG_TOKEN_TYPE = "wrong_token_type"
    UNKNOWN_KID = "unknown_kid"
    UNKNOWN_KID_UNCONFIRMED = "unknown_kid_unconfirmed"
    BAD_SIGNATURE = "bad_signature"
    NOT_CLIENT_CREDENTIALS = "not_client_credentials"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_NOT_YET_VALID = "token_not_yet_valid"
    IAT_IN_FUTURE = "iat_in_future"
    WRONG_ISSUER = "wrong_issuer"
    UNKNOWN_ISSUER = "unknown_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"
    # 500: our side
    INTERNAL_ERROR = "internal_error"
    CONFIG_INVALID = "config_invalid"
    RULES_INVALID = "rules_invalid"
    JWKS_UNAVAILABLE = "jwks_unavailable"
    JWKS_HTTP_ERROR = "jwks_http_error"
    JWKS_TIMEOUT = "jwks_timeout"
    JWKS_UNREACHABLE = "jwks_unreachable"
    JWKS_INVALID = "jwks_invalid"
    JWKS_DUPLICATE_MEMBER = "jwks_duplicate_member"
    JWKS_NO_USABLE_KEY = "jwks_no_usable_key"
    JWKS_TOO_LARGE = "jwks_too_large"
    JWKS_BACKOFF = "jwks_backoff"
    BAD_METHOD_ARN = "bad_method_arn"
    BAD_EVENT = "bad_event"
    POLICY_TOO_LARGE = "policy_too_large"
    # warnings beside a decision (never a decision's reason)
    SHADOW_FAULT = "shadow_fault"
    SHADOW_RULES_INVALID = "shadow_rules_invalid"
    METRICS_FAULT = "metrics_fault"
    JWKS_KEYS_SKIPPED = "jwks_keys_skipped"


class ScopegateError(Exception):
    """Base of every error the authorizer raises on purpose."""

    reason: Reason = Reason.INTERNAL_ERROR

    def __init__(self, message: str = "", *, reason: Reason | None = None) -> None:
        super().__init__(message or self.__class__.__name__)
        if reason is not None:
            self.reason = reason


# --- 401: the token is not valid -------------------------------------------


class InvalidToken(ScopegateError):
    """The bearer token is missing or not valid in some way (401)."""

    reason = Reason.INVALID_TOKEN


class MissingToken(InvalidToken):
    reason = Reason.MISSING_TOKEN


class MalformedToken(InvalidToken):
    reason = Reason.MALFORMED_TOKEN


class TokenTooLarge(InvalidToken):
    reason = Reason.TOKEN_TOO_LARGE


class AlgorithmNotAllowed(InvalidToken):
    reason = Reason.ALG_NOT_ALLOWED


class ForbiddenHeader(InvalidToken):
    reason = Reason.FORBIDDEN_HEADER


class WrongTokenType(InvalidToken):
    reason = Reason.WRONG_TOKEN_TYPE


class UnknownKid(InvalidToken):
    reason = Reason.UNKNOWN_KID


class BadSignature(InvalidToken):
    reason = Reason.BAD_SIGNATURE


class TokenExpired(InvalidToken):
    reason = Reason.TOKEN_EXPIRED


class TokenNotYetValid(InvalidToken):
    reason = Reason.TOKEN_NOT_YET_VALID


class WrongIssuer(InvalidToken):
    reason = Reason.WRONG_ISSUER


class UnknownIssuer(InvalidToken):
    """The token's (yet unverified) ``iss`` names no trusted issuer: refused before any key lookup."""

    reason = Reason.UNKNOWN_ISSUER


class WrongAudience(InvalidToken):
    reason = Reason.WRONG_AUDIENCE


class InvalidClaim(InvalidToken):
    reason = Reason.INVALID_CLAIM


class NotClientCredentials(InvalidToken):
    """A valid token of another grant (a user's) where CLIENT_CREDENTIALS_ONLY is on."""

    reason = Reason.NOT_CLIENT_CREDENTIALS


# --- 403: a valid token without the right scopes ----------------------------


class AccessDenied(ScopegateError):
    """A valid token that the rules do not allow on this route (403).

    Never raised to API Gateway: the authorizer returns a policy whose Deny
    (or missing Allow) makes API Gateway answer 403. It exists so that the
    reasons of the decision log come from the same tree.
    """

    reason = Reason.ACCESS_DENIED


# --- 500: a fault on our side -----------------------------------------------


class AuthorizerFault(ScopegateError):
    """Something on our side is wrong (500). Never becomes an Allow."""

    reason = Reason.INTERNAL_ERROR


class ConfigError(AuthorizerFault):
    """The environment does not configure a usable authorizer."""

    reason = Reason.CONFIG_INVALID


class RulesError(AuthorizerFault):
    """The rules file does not load; the message names file, line and fix."""

    reason = Reason.RULES_INVALID


class JwksUnavailable(AuthorizerFault):
    """The JWKS could not be fetched and no usable cached key exists."""

    reason = Reason.JWKS_UNAVAILABLE


class JwksBackoff(JwksUnavailable):
    """No fetch was made: the last one failed moments ago (``JWKS_RETRY_AFTER_FAILURE_SECONDS``)."""

    reason = Reason.JWKS_BACKOFF


class BadMethodArn(AuthorizerFault):
    """The event's methodArn is not an execute-api method ARN."""

    reason = Reason.BAD_METHOD_ARN


class BadEvent(AuthorizerFault):
    """The event is not an authorizer event scopegate answers, or disagrees with itself (500)."""

    reason = Reason.BAD_EVENT


class PolicyTooLarge(AuthorizerFault):
    """A policy resource would exceed API Gateway's 512-character limit."""

    reason = Reason.POLICY_TOO_LARGE
