"""README's walkthrough, over HTTP: issuer token -> gateway -> authorizer -> hello service."""

from __future__ import annotations

from local.stack import Stack
from tests.support.issuer_client import token_for
from tests.support.local_stack import bearer, http

# template.yaml's GatewayResponses: RFC 6750 answers (README "Answers to clients")
INVALID_TOKEN = (401, b'{"message":"Unauthorized","error":"invalid_token"}', 'Bearer realm="scopegate", error="invalid_token"')
INSUFFICIENT_SCOPE = (
    403,
    b'{"message":"Forbidden","error":"insufficient_scope"}',
    'Bearer realm="scopegate", error="insufficient_scope"',
)


def test_reader_token_gets_hello_world(stack: Stack) -> None:
    token = token_for(stack.issuer_url, "demo-reader")
    answer = http("GET", stack.gateway_url + "/hello", bearer(token))
    assert (answer.status, answer.json()) == (200, {"message": "hello world"})


def test_invalid_token_is_401(stack: Stack) -> None:
    answer = http("GET", stack.gateway_url + "/hello", bearer("not.a.token"))
    assert (answer.status, answer.body, answer.headers["WWW-Authenticate"]) == INVALID_TOKEN
    assert answer.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 1


def test_tampered_token_is_401(stack: Stack) -> None:
    token = token_for(stack.issuer_url, "demo-reader")
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert http("GET", stack.gateway_url + "/hello", bearer(forged)).status == 401


def test_client_without_the_scope_is_403(stack: Stack) -> None:
    token = token_for(stack.issuer_url, "demo-writer")
    answer = http("GET", stack.gateway_url + "/hello", bearer(token))
    # scopegate denies the routes a token's scopes do not satisfy explicitly
    assert (answer.status, answer.body, answer.headers["WWW-Authenticate"]) == INSUFFICIENT_SCOPE
    assert answer.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_client_granted_the_scope_in_rfc9068_dialect_is_200(stack: Stack) -> None:
    token = token_for(stack.issuer_url, "demo-rfc9068", scope="read:hello")
    answer = http("GET", stack.gateway_url + "/hello", bearer(token))
    assert (answer.status, answer.json()) == (200, {"message": "hello world"})


def test_missing_header_is_401_without_invoking_the_authorizer(stack: Stack) -> None:
    answer = http("GET", stack.gateway_url + "/hello")
    assert (answer.status, answer.body, answer.headers["WWW-Authenticate"]) == INVALID_TOKEN
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 0


def test_the_scheme_in_lower_case_passes_the_gateway_and_the_authorizer(stack: Stack) -> None:
    # GIVEN a real token sent as "bearer <token>" through template.yaml's ValidationExpression
    token = token_for(stack.issuer_url, "demo-reader")
    answer = http("GET", stack.gateway_url + "/hello", {"Authorization": f"bearer {token}"})
    assert (answer.status, answer.json()) == (200, {"message": "hello world"})


def test_a_header_with_two_spaces_is_401_without_invoking_the_authorizer(stack: Stack) -> None:
    token = token_for(stack.issuer_url, "demo-reader")
    answer = http("GET", stack.gateway_url + "/hello", {"Authorization": f"BEARER  {token}"})
    assert (answer.status, answer.body, answer.headers["WWW-Authenticate"]) == INVALID_TOKEN
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 0
