"""A SAM function's ``Events``: the REST routes they create, and the events the tools cannot read.

Part of the template reader (:mod:`scopegate_tools.sam_template`), tools only. It records what the
template says, never whether that is safe: :mod:`scopegate_tools.cli.route_audit` judges that.

An ``Api`` event becomes a :class:`RouteSpec` when the reader can tell its API, its route and the
authorizer it asks for: ``RestApiId`` absent (SAM's implicit API) or a ``!Ref`` to an
``AWS::Serverless::Api`` of the template, ``Auth`` absent or a mapping whose ``Authorizer`` is a
plain string, and a string ``Path`` and ``Method``. Every other ``Api`` event, and every
``HttpApi`` event, becomes an :class:`UnreadEvent` that says what could not be read. Other event
types (queues, schedules, streams...) create no HTTP route and are not recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from authorizer.resource_path import ResourcePath, ResourcePathProblem, parse_resource_path

IMPLICIT_API = "ServerlessRestApi"  # the API SAM creates for Api events without RestApiId
SERVERLESS_API = "AWS::Serverless::Api"


@dataclass(frozen=True, slots=True)
class RouteSpec:
    api: str  # logical id of the API
    method: str  # upper-case verb, or "ANY"
    path: str  # as written, e.g. /orders/{id}
    function: str
    event: str
    authorizer: str | None  # the event's own Auth.Authorizer, else the API's default; None: none
    line: int
    requested: str | None = None  # Auth.Authorizer as the event writes it (NONE, a name), or None

    @property
    def text(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def resource(self) -> ResourcePath:
        """The path, parsed (:func:`read_events` records only paths that parse)."""
        return parse_resource_path(self.path)


class Unread(Enum):
    """What the reader could not read in an event that creates API routes."""

    HTTP_API = "Type: HttpApi"
    REST_API_ID = "RestApiId"
    AUTH = "Auth"
    ROUTE = "Path and Method"
    RESOURCE_PATH = "Path"  # a string, but not a resource path API Gateway accepts


@dataclass(frozen=True, slots=True)
class UnreadEvent:
    function: str
    event: str
    unread: Unread
    found: str  # what the template holds there, in a few words (an HttpApi event: its route)
    line: int


def line_of(node: Any) -> int:
    """The 1-based template line of a node cfn-lint's loader marked; 0 when it has no mark."""
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


def read_events(
    function: str,
    events: Mapping[str, Any],
    resources: Mapping[str, Any],
    default_authorizers: Mapping[str, str | None],
) -> tuple[list[RouteSpec], list[UnreadEvent]]:
    """The routes of one function's ``Events``; ``default_authorizers`` maps each API to its default."""
    routes: list[RouteSpec] = []
    unread: list[UnreadEvent] = []
    for name, event in events.items():
        kind = event.get("Type")
        if kind == "HttpApi":
            props = event.get("Properties") or {}
            method, path = props.get("Method", "ANY"), props.get("Path", "$default")
            route = f"{method.upper()} {path}" if isinstance(method, str) and isinstance(path, str) else ""
            unread.append(UnreadEvent(function, name, Unread.HTTP_API, route, line_of(event)))
            continue
        if kind != "Api":
            continue
        props = event.get("Properties") or {}
        api, api_found = _api_of(props.get("RestApiId"), resources)
        requested, auth_found = _authorizer_of(props.get("Auth"))
        method, path = props.get("Method"), props.get("Path")
        line = line_of(event)
        if api is None:
            unread.append(UnreadEvent(function, name, Unread.REST_API_ID, api_found, line))
        elif auth_found:
            unread.append(UnreadEvent(function, name, Unread.AUTH, auth_found, line))
        elif not (isinstance(method, str) and method and isinstance(path, str) and path):
            found = f"Path: {_describe(path)}, Method: {_describe(method)}"
            unread.append(UnreadEvent(function, name, Unread.ROUTE, found, line))
        elif (problem := _resource_path_problem(path)) is not None:
            unread.append(UnreadEvent(function, name, Unread.RESOURCE_PATH, problem, line))
        else:
            authorizer = None if requested == "NONE" else requested or default_authorizers.get(api)
            routes.append(
                RouteSpec(
                    api=api,
                    method=method.upper(),
                    path=path,
                    function=function,
                    event=name,
                    authorizer=authorizer,
                    line=line,
                    requested=requested,
                )
            )
    return routes, unread


def _resource_path_problem(path: str) -> str | None:
    try:
        parse_resource_path(path)
    except ResourcePathProblem as problem:
        return str(problem)
    return None


def _api_of(rest_api_id: Any, resources: Mapping[str, Any]) -> tuple[str | None, str]:
    """The API's logical id, or None and what RestApiId holds instead."""
    if rest_api_id is None:
        return IMPLICIT_API, ""
    if isinstance(rest_api_id, str):
        return None, f"{rest_api_id!r} (a plain string)"
    target = rest_api_id.get("Ref") if isinstance(rest_api_id, Mapping) and len(rest_api_id) == 1 else None
    if not isinstance(target, str):
        return None, _describe(rest_api_id)
    resource = resources.get(target)
    kind = resource.get("Type") if isinstance(resource, Mapping) else None
    if kind == SERVERLESS_API:
        return target, ""
    return None, f"!Ref {target} (" + (f"an {kind}" if kind else "not a resource of this template") + ")"


def _authorizer_of(auth: Any) -> tuple[str | None, str]:
    """Auth.Authorizer as written (None when absent), and what Auth holds when it cannot be read."""
    if auth is None:
        return None, ""
    if not isinstance(auth, Mapping) or any(key == "Ref" or key.startswith("Fn::") for key in auth):
        return None, _describe(auth)
    requested = auth.get("Authorizer")
    if requested is None or isinstance(requested, str):
        return requested, ""
    return None, f"{{Authorizer: {_describe(requested)}}}"


def _describe(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, Mapping) and len(value) == 1:
        (name,) = value
        return "!Ref" if name == "Ref" else str(name)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"
