"""A route scopegate does not guard, as ``check`` reports it: what kind, where, and the fix (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

AUTHORIZER_HANDLER = "authorizer.app.lambda_handler"  # how the tools recognise scopegate's function
# A REQUEST authorizer runs scopegate only with these identity sources (its cache key holds the route)
REQUEST_IDENTITY_SOURCES = frozenset(
    {"method.request.header.Authorization", "context.httpMethod", "context.resourcePath"}
)


class Problem(Enum):
    """Why a route does not reach scopegate (or may not): one member per case."""

    IMPLICIT_API = "on SAM's implicit API"
    UNGUARDED_API = "on an API whose default authorizer is not scopegate's"
    PUBLIC_ON_UNGUARDED_API = "Authorizer: NONE on an API whose default authorizer is not scopegate's"
    OTHER_AUTHORIZER = "under another authorizer"
    API_DEFINITION = "on an API with a definition document"
    HTTP_API = "an HTTP API"
    UNREAD_EVENT = "an Api event the tools cannot read"
    UNREAD_RESOURCE = "API Gateway resources the tools do not read"
    FUNCTION_URL = "a function URL"
    GLOBALS_API = "Globals: Api"
    UNREAD_METHOD = "a method the tools cannot read"  # OpenAPI and CloudFormation sources
    UNKNOWN_AUTHORIZER = "an authorizer the tools cannot tell is scopegate's"


@dataclass(frozen=True, slots=True)
class RouteProblem:
    """Something that opens an HTTP route scopegate does not guard: where, what and the fix."""

    problem: Problem
    resource: str  # a logical id (the function, for an event), or "Globals"
    event: str | None
    line: int
    message: str  # a sentence: the subject, what is wrong, then the fix

    @property
    def subject(self) -> str:
        return f"{self.resource} event {self.event}" if self.event else self.resource
