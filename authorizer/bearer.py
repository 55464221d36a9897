"""Read the token out of the ``Authorization`` value of a TOKEN authorizer event (pure)."""

from __future__ import annotations

from authorizer.errors import MalformedToken, MissingToken


def parse_bearer(header: object) -> str:
    """The token of an ``Authorization: Bearer <token>`` value (scheme case-insensitive).

    No regular expression: ``str.partition`` and ``str.strip`` only, so a client-controlled value
    costs linear time. Raises :class:`MissingToken` or :class:`MalformedToken` (both 401).
    """
    if not isinstance(header, str) or not header:
        raise MissingToken("no Authorization header value")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise MalformedToken("Authorization value is not 'Bearer <token>'")
    if token != token.strip() or " " in token:
        raise MalformedToken("Authorization value has stray whitespace")
    return token
