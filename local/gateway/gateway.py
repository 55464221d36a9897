"""The gateway: one request in, API Gateway's answer out (HTTP lives in :mod:`local.gateway.server`).

Order of work, as API Gateway REST does it: stage -> route (else 403 Missing Authentication
Token) -> Lambda authorizer -> Lambda proxy integration. Every request gets one access log line
without the token.

The authorizer step, for a TOKEN authorizer: the token header and its ValidationExpression, the
result cache keyed by the token, the invocation with a TOKEN event. For a REQUEST authorizer: its
identity sources (headers, query strings, ``context.httpMethod``, ``context.resourcePath``; with
caching on, a missing or empty one is 401 without invoking), the result cache keyed by their
values, the invocation with a REQUEST event. Either way the (possibly cached) policy is evaluated
by :func:`scopegate_tools.iam.evaluate_policy` against this request's methodArn.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scopegate_tools.iam import Verdict
from scopegate_tools.sam_template import ApiSpec, LambdaAuthorizerSpec, SamApplication, TemplateError
from local.gateway import gateway_response as gr
from local.gateway.authorizer_result import (
    AuthorizerOutput,
    MalformedOutput,
    decide,
    integration_context,
    read_authorizer_output,
)
from local.gateway.events import (
    LOCAL_REGION,
    BadProxyResponse,
    IncomingRequest,
    method_arn,
    proxy_event,
    read_proxy_response,
    request_event,
    token_event,
)
from local.gateway.functions import FunctionPool, InvocationTimeout
from local.gateway.result_cache import ResultCache
from local.gateway.routing import RouteMatch, match_route

access_log = logging.getLogger("local.gateway.access")


def local_api_id(logical_id: str) -> str:
    """A fixed, valid api id per API of the template (10 lower-case hex digits)."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    decision: str  # for the access log: none, allow, deny, unauthorized, error, ...


@dataclass(frozen=True, slots=True)
class _Authorized:
    output: AuthorizerOutput | None  # None: a public route
    decision: str
    latency_ms: int


HEADER_SOURCE, QUERY_SOURCE = "method.request.header.", "method.request.querystring."
CONTEXT_SOURCES = ("context.httpMethod", "context.resourcePath")


def check_identity_sources(app: SamApplication) -> None:
    """Refuse a REQUEST authorizer whose identity sources this gateway cannot read (TemplateError)."""
    for api in app.apis.values():
        for spec in api.authorizers.values():
            for source in spec.identity_sources:
                known = source.startswith((HEADER_SOURCE, QUERY_SOURCE)) or source in CONTEXT_SOURCES
                if not known or source in (HEADER_SOURCE, QUERY_SOURCE):
                    raise TemplateError(
                        f"{app.source}:{spec.line}: identity source {source!r} of {spec.name} is not one the "
                        f"local gateway reads ({HEADER_SOURCE}<name>, {QUERY_SOURCE}<name>, "
                        f"{', '.join(CONTEXT_SOURCES)})"
                    )


def _identity_values(spec: LambdaAuthorizerSpec, request: IncomingRequest, route: RouteMatch) -> tuple[str, ...]:
    """The values of a REQUEST authorizer's identity sources ("" for a missing one): the cache key."""
    values = []
    for source in spec.identity_sources:
        if source.startswith(HEADER_SOURCE):
            name = source.removeprefix(HEADER_SOURCE).lower()
            values.append(next((v for k, v in reversed(request.headers) if k.lower() == name), ""))
        elif source.startswith(QUERY_SOURCE):
            name = source.removeprefix(QUERY_SOURCE)
            values.append(next((v for k, v in reversed(request.query) if k == name), ""))
        elif source == "context.httpMethod":
            values.append(request.method)
        else:  # context.resourcePath (check_identity_sources allows nothing else)
            values.append(route.route.path)
    return tuple(values)


class Gateway:
    def __init__(
        self,
        app: SamApplication,
        functions: FunctionPool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_identity_sources(app)
        self.app = app
        self.functions = functions
        self.cache = ResultCache(clock)
        self._stages: dict[str, ApiSpec] = {api.stage: api for api in app.apis.values()}

    # -- the request ---------------------------------------------------------------------------
    def handle(self, request: IncomingRequest) -> Answer:
        started = time.perf_counter()
        answer = self._handle(request)
        access_log.info(
            "%s /%s%s %d authorizer=%s %.1fms",
            request.method,
            request.stage,
            request.path,
            answer.status,
            answer.decision,
            (time.perf_counter() - started) * 1000,
        )
        return answer

    def _handle(self, request: IncomingRequest) -> Answer:
        api = self._stages.get(request.stage)
        if api is None:
            return self._gateway(gr.STAGE_NOT_FOUND, {}, request, "none")
        routes = [r for r in self.app.routes if r.api == api.logical_id]
        found = match_route(routes, request.method, request.path)
        if found is None:
            return self._gateway(gr.MISSING_AUTHENTICATION_TOKEN, api.gateway_responses, request, "none")
        route = found.route
        api_id = local_api_id(api.logical_id)
        authorized: _Authorized | Answer = _Authorized(None, "none", 0)
        if route.authorizer is not None:
            spec = api.authorizers.get(route.authorizer)
            if spec is None:  # the template names an authorizer this emulator does not know
                return self._gateway(gr.AUTHORIZER_CONFIGURATION_ERROR, api.gateway_responses, request, "error")
            authorized = self._authorize(api, spec, api_id, request, found)
            if isinstance(authorized, Answer):
                return authorized
        context = None
        if authorized.output is not None:
            context = integration_context(authorized.output, authorized.latency_ms)
        event = proxy_event(request, route.path, found.path_parameters, api_id, context)
        try:
            invocation = self.functions.invoke(route.function, event, request.request_id)
        except InvocationTimeout:
            return self._gateway(gr.INTEGRATION_TIMEOUT, api.gateway_responses, request, authorized.decision)
        try:
            if not invocation.ok:
                raise BadProxyResponse(f"{invocation.error_type}")
            response = read_proxy_response(invocation.result)
        except BadProxyResponse:
            return self._gateway(gr.INTEGRATION_FAILURE, api.gateway_responses, request, authorized.decision)
        headers = response.headers + (("x-amzn-RequestId", request.request_id),)
        return Answer(response.status, headers, response.body, authorized.decision)

    # -- the Lambda authorizer ------------------------------------------------------------------
    def _authorize(
        self, api: ApiSpec, spec: LambdaAuthorizerSpec, api_id: str, request: IncomingRequest, route: RouteMatch
    ) -> _Authorized | Answer:
        responses = api.gateway_responses
        arn = method_arn(api_id, request.stage, request.method, request.path)
        if spec.payload_type == "TOKEN":
            wanted = spec.header.lower()
            token = next((v for k, v in request.headers if k.lower() == wanted), "")
            if not token or (
                spec.validation_expression and not re.fullmatch(spec.validation_expression, token)
            ):
                return self._gateway(gr.UNAUTHORIZED, responses, request, "unauthorized(not invoked)")
            identity: tuple[str, ...] = (token,)
            event = token_event(token, arn)
        else:
            identity = _identity_values(spec, request, route)
            if spec.reauthorize_every > 0 and not all(identity):  # caching on: every source is needed
                return self._gateway(gr.UNAUTHORIZED, responses, request, "unauthorized(not invoked)")
            event = request_event(request, route.route.path, route.path_parameters, api_id, arn)
        key = (api_id, request.stage, spec.name, identity)
        output = self.cache.get(key)
        decision_source = "cached"
        latency_ms = 0
        if output is None:
            decision_source = "invoked"
            started = time.perf_counter()
            try:
                invocation = self.functions.invoke(spec.function, event, request.request_id)
            except InvocationTimeout:
                return self._gateway(gr.AUTHORIZER_FAILURE, responses, request, "error(timeout)")
            latency_ms = int((time.perf_counter() - started) * 1000)
            if not invocation.ok:
                if invocation.error_message == "Unauthorized":
                    return self._gateway(gr.UNAUTHORIZED, responses, request, "unauthorized")
                return self._gateway(gr.AUTHORIZER_CONFIGURATION_ERROR, responses, request, "error")
            try:
                output = read_authorizer_output(invocation.result, arn)
            except MalformedOutput:
                return self._gateway(gr.AUTHORIZER_CONFIGURATION_ERROR, responses, request, "error(malformed)")
            self.cache.put(key, output, spec.reauthorize_every)
        verdict = decide(output, arn)
        if verdict is Verdict.EXPLICIT_DENY:
            return self._gateway(gr.ACCESS_DENIED_EXPLICIT, responses, request, f"deny({decision_source})")
        if verdict is Verdict.IMPLICIT_DENY:
            return self._gateway(gr.ACCESS_DENIED, responses, request, f"deny({decision_source})")
        return _Authorized(output, f"allow({decision_source})", latency_ms)

    def _gateway(
        self, kind: gr.ResponseType, responses: Mapping[str, Any], request: IncomingRequest, decision: str
    ) -> Answer:
        answer = gr.gateway_answer(kind, responses, request.request_id, dict(request.headers))
        return Answer(answer.status, answer.headers, answer.body, decision)

    # -- maintenance -----------------------------------------------------------------------------
    def restart_authorizers(self) -> None:
        """New containers for every authorizer function, and an empty result cache."""
        for name in self.app.authorizer_functions:
            self.functions.restart(name)
        self.cache.clear()


__all__ = ["Answer", "Gateway", "LOCAL_REGION", "local_api_id"]
