"""The one error tree of the authorizer.

Every failure is one of three kinds, and ``app.py`` maps each kind to an
API Gateway outcome in one place:

* :class:`InvalidToken`   -> 401 (the handler raises ``Exception("Unauthorized")``)
* :class:`AccessDenied`   -> 403 (never raised to API Gateway: the policy denies)
* :class:`AuthorizerFault` -> 500 (any other exception reaches API Gateway)

Each class carries a stable, low-cardinality ``reason`` that is safe to log.
Messages never contain a token, a claim value from an unverified token, or a
header value; callers test types and reasons, never message text.
"""

from __future__ import annotations


class ScopegateError(Exception):
    """Base of every error the authorizer raises on purpose."""

    reason = "error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.__class__.__name__)
        if reason is not None:
            self.reason = reason


# --- 401: the token is not valid -------------------------------------------


class InvalidToken(ScopegateError):
    """The bearer token is missing or not valid in some way (401)."""

    reason = "invalid_token"


class MissingToken(InvalidToken):
    reason = "missing_token"


class MalformedToken(InvalidToken):
    reason = "malformed_token"


class TokenTooLarge(InvalidToken):
    reason = "token_too_large"


class AlgorithmNotAllowed(InvalidToken):
    reason = "alg_not_allowed"


class ForbiddenHeader(InvalidToken):
    reason = "forbidden_header"


class WrongTokenType(InvalidToken):
    reason = "wrong_token_type"


class UnknownKid(InvalidToken):
    reason = "unknown_kid"


class BadSignature(InvalidToken):
    reason = "bad_signature"


class TokenExpired(InvalidToken):
    reason = "token_expired"


class TokenNotYetValid(InvalidToken):
    reason = "token_not_yet_valid"


class WrongIssuer(InvalidToken):
    reason = "wrong_issuer"


class WrongAudience(InvalidToken):
    reason = "wrong_audience"


class InvalidClaim(InvalidToken):
    reason = "invalid_claim"


class NotClientCredentials(InvalidToken):
    """A valid token of another grant (a user's) where CLIENT_CREDENTIALS_ONLY is on."""

    reason = "not_client_credentials"


# --- 403: a valid token without the right scopes ----------------------------


class AccessDenied(ScopegateError):
    """A valid token that the rules do not allow on this route (403).

    Never raised to API Gateway: the authorizer returns a policy whose Deny
    (or missing Allow) makes API Gateway answer 403. It exists so that the
    reasons of the decision log come from the same tree.
    """

    reason = "access_denied"


# --- 500: a fault on our side -----------------------------------------------


class AuthorizerFault(ScopegateError):
    """Something on our side is wrong (500). Never becomes an Allow."""

    reason = "internal_error"


class ConfigError(AuthorizerFault):
    """The environment does not configure a usable authorizer."""

    reason = "config_invalid"


class RulesError(AuthorizerFault):
    """The rules file does not load; the message names file, line and fix."""

    reason = "rules_invalid"


class JwksUnavailable(AuthorizerFault):
    """The JWKS could not be fetched and no usable cached key exists."""

    reason = "jwks_unavailable"


class BadMethodArn(AuthorizerFault):
    """The event's methodArn is not an execute-api method ARN."""

    reason = "bad_method_arn"


class BadEvent(AuthorizerFault):
    """The event is not a TOKEN authorizer event (a deployment mistake)."""

    reason = "bad_event"


class PolicyTooLarge(AuthorizerFault):
    """A policy resource would exceed API Gateway's 512-character limit."""

    reason = "policy_too_large"
