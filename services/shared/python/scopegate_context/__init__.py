"""scopegate_context: what a downstream service needs from scopegate's authorizer.

* :func:`principal_from_event` -> :class:`Principal` (pure; no JWT parsing, the
  authorizer verified the token);
* :func:`require_declared_scopes` (the scope re-checks of the service's ``scopes.toml``, which
  ``python -m scopegate_tools check`` compares with the rules), :func:`require_principal` and
  :func:`current_principal` for Powertools' ``APIGatewayRestResolver``;
* :func:`client_path`: a path of the API as the client must write it (``Location`` links).

Shipped as a Lambda layer (``services/shared/``, ``python/`` layout); see
README.md "Writing a downstream service".
"""

from scopegate_context.client_path import RequestPathError, client_base_path, client_path
from scopegate_context.middleware import (
    DeclaredScopeCheck,
    current_principal,
    insufficient_scope_response,
    require_declared_scopes,
    require_principal,
)
from scopegate_context.principal import (
    AuthorizerContextError,
    MalformedAuthorizerContext,
    MissingAuthorizerContext,
    Principal,
    parse_scope,
    principal_from_event,
)
from scopegate_context.requirement import ScopeRequirement
from scopegate_context.route_scopes import (
    SCOPES_FILE,
    DeclaredScopes,
    RouteScopes,
    ScopesFileError,
    load_declared_scopes,
    parse_declared_scopes,
)

__all__ = [
    "SCOPES_FILE",
    "AuthorizerContextError",
    "DeclaredScopeCheck",
    "DeclaredScopes",
    "MalformedAuthorizerContext",
    "MissingAuthorizerContext",
    "Principal",
    "RequestPathError",
    "RouteScopes",
    "ScopeRequirement",
    "ScopesFileError",
    "client_base_path",
    "client_path",
    "current_principal",
    "insufficient_scope_response",
    "load_declared_scopes",
    "parse_declared_scopes",
    "principal_from_event",
    "parse_scope",
    "require_declared_scopes",
    "require_principal",
]
