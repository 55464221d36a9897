"""scopegate_context: what a downstream service needs from scopegate's authorizer.

* :func:`principal_from_event` -> :class:`Principal` (pure; no JWT parsing, the
  authorizer verified the token);
* :func:`require_principal`, :func:`require_scopes`, :func:`require_any_scope`
  and :func:`current_principal` for Powertools' ``APIGatewayRestResolver``;
* :func:`client_path`: a path of the API as the client must write it (``Location`` links).

Shipped as a Lambda layer (``services/shared/``, ``python/`` layout); see
README.md "Writing a downstream service".
"""

from scopegate_context.client_path import RequestPathError, client_base_path, client_path
from scopegate_context.middleware import (
    ScopeCheck,
    current_principal,
    require_any_scope,
    require_principal,
    require_scopes,
)
from scopegate_context.principal import (
    AuthorizerContextError,
    MalformedAuthorizerContext,
    MissingAuthorizerContext,
    Principal,
    parse_scope,
    principal_from_event,
)
from scopegate_context.requirement import ScopeRequirement, www_authenticate

__all__ = [
    "AuthorizerContextError",
    "MalformedAuthorizerContext",
    "MissingAuthorizerContext",
    "Principal",
    "RequestPathError",
    "ScopeCheck",
    "ScopeRequirement",
    "client_base_path",
    "client_path",
    "current_principal",
    "parse_scope",
    "principal_from_event",
    "require_any_scope",
    "require_principal",
    "require_scopes",
    "www_authenticate",
]
