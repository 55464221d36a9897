"""scopegate_context.principal: the Principal of a REST proxy event, for every context shape."""

from __future__ import annotations

from typing import Any

import pytest
from scopegate_context import (
    MalformedAuthorizerContext,
    MissingAuthorizerContext,
    Principal,
    parse_scope,
    principal_from_event,
)

from tests.support.proxy_events import authorizer_context, proxy_event


def with_context(context: Any) -> dict[str, Any]:
    return {"requestContext": {"requestId": "r-1", "authorizer": context}}


def test_principal_from_event_reads_a_full_scopegate_context() -> None:
    # GIVEN the context API Gateway passes on for the writer's token
    event = proxy_event("POST", "/orders", authorizer="writer")

    # WHEN the service reads its principal
    principal = principal_from_event(event)

    # THEN every field is typed, and the raw context is kept as it came
    assert principal == Principal(
        principal_id="orders-writer@clients",
        client_id="orders-writer",
        scopes=frozenset({"read:hello", "read:orders", "write:orders"}),
        token_profile="auth0",
        rules_digest="0123456789ab",
        issuer="https://tenant.example.auth0.com/",
    )
    assert dict(principal.context) == authorizer_context("writer")
    assert (principal.org_id, dict(principal.claims)) == (None, {})


def test_principal_from_event_reads_the_issuer_the_organization_and_the_passed_claims() -> None:
    # GIVEN a token of a custom domain, issued for an Organization, with two claims passed
    principal = principal_from_event(proxy_event("GET", "/orders", authorizer="organization"))
    # THEN the service reads who issued it, for which organization, and the claims by name
    assert (principal.issuer, principal.org_id) == ("https://login.example.com/", "org_acme")
    assert dict(principal.claims) == {
        "https://example.com/plan": '{"tier":"gold","seats":5}', "https://example.com/region": "eu",
    }
    assert principal.log_fields()["org_id"] == "org_acme"
    with pytest.raises(TypeError):
        principal.claims["https://example.com/region"] = "us"  # type: ignore[index]


def test_principal_from_event_reads_an_empty_scope_as_no_scopes() -> None:
    principal = principal_from_event(proxy_event("GET", "/hello", authorizer="empty_scope"))
    assert (principal.client_id, principal.scopes) == ("no-scopes", frozenset())


def test_principal_from_event_keeps_extra_keys_in_the_raw_context_only() -> None:
    principal = principal_from_event(proxy_event("GET", "/orders", authorizer="extra_keys"))
    assert principal.scopes == frozenset({"read:orders"})
    assert (principal.context["tenant"], principal.context["integrationLatency"]) == ("acme", 180)


def test_principal_context_is_a_read_only_copy() -> None:
    context = authorizer_context("reader")
    principal = principal_from_event(with_context(context))
    context["scope"] = "admin"
    assert principal.context["scope"] == "read:hello read:orders"
    with pytest.raises(TypeError):
        principal.context["scope"] = "admin"  # type: ignore[index]


def test_principal_optional_fields_are_none_when_an_older_authorizer_omits_them() -> None:
    context = {"principalId": "p@clients", "scope": "read:orders", "client_id": "p"}
    principal = principal_from_event(with_context(context))
    assert (principal.token_profile, principal.rules_digest, principal.issuer, principal.org_id) == (None,) * 4


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "the event has no requestContext"),
        ({"requestContext": None}, "the event has no requestContext"),
        ({"requestContext": "Dev"}, "the event has no requestContext"),
        (with_context(None), "requestContext has no authorizer; is the route deployed without it?"),
        ({"requestContext": {"requestId": "r-1"}}, "requestContext has no authorizer; is the route deployed without it?"),
        (with_context({"claims": None, "scopes": None}), "requestContext.authorizer has no principalId; not a Lambda authorizer's context"),
        (with_context({}), "requestContext.authorizer has no principalId; not a Lambda authorizer's context"),
    ],
    ids=["no-request-context", "null-request-context", "string-request-context", "null-authorizer",
         "no-authorizer", "cognito-shape", "empty-authorizer"],
)
def test_principal_from_event_fails_closed_without_an_authorizer_context(event: dict[str, Any], message: str) -> None:
    with pytest.raises(MissingAuthorizerContext) as raised:
        principal_from_event(event)
    assert (str(raised.value), raised.value.reason) == (message, "missing_authorizer_context")


def test_principal_from_event_treats_a_route_without_the_authorizer_as_missing_context() -> None:
    with pytest.raises(MissingAuthorizerContext):
        principal_from_event(proxy_event("GET", "/orders", authorizer=None))


def test_principal_from_event_refuses_a_non_mapping_event() -> None:
    with pytest.raises(MissingAuthorizerContext, match="no requestContext"):
        principal_from_event(["not", "an", "event"])  # type: ignore[arg-type]


def full(**changes: Any) -> dict[str, Any]:
    context = authorizer_context("reader")
    for key, value in changes.items():
        if value is ...:
            del context[key]
        else:
            context[key] = value
    return context


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (["principalId", "p"], "requestContext.authorizer is a list, not an object"),
        (full(principalId=7), "'principalId' is a int, not a string"),
        (full(principalId=""), "'principalId' is empty"),
        (full(client_id=...), "the authorizer context has no 'client_id'"),
        (full(client_id=42), "'client_id' is a int, not a string"),
        (full(client_id=""), "'client_id' is empty"),
        (full(scope=...), "the authorizer context has no 'scope'"),
        (full(scope=None), "'scope' is a NoneType, not a string"),
        (full(scope=["read:orders"]), "'scope' is a list, not a string"),
        (full(scope="read:orders  admin"), "'scope' is not a list of scope tokens separated by single spaces"),
        (full(scope=" read:orders"), "'scope' is not a list of scope tokens separated by single spaces"),
        (full(scope='read:orders "admin"'), "'scope' is not a list of scope tokens separated by single spaces"),
        (full(scope="read:orders\tadmin"), "'scope' is not a list of scope tokens separated by single spaces"),
        (full(token_profile=True), "'token_profile' is a bool, not a string"),
        (full(rules_digest={"a": 1}), "'rules_digest' is a dict, not a string"),
        (full(issuer=1), "'issuer' is a int, not a string"),
        (full(org_id=""), "'org_id' is empty"),
        (full(org_id=None), "'org_id' is a NoneType, not a string"),
        (full(**{"claim:plan": {"tier": "gold"}}), "a passed claim is a dict, not a string"),
    ],
    ids=["list-context", "int-principal", "empty-principal", "no-client-id", "int-client-id",
         "empty-client-id", "no-scope", "null-scope", "list-scope", "double-space", "leading-space",
         "quoted-scope", "tab", "bool-profile", "dict-digest", "int-issuer", "empty-org", "null-org", "dict-claim"],
)
def test_principal_from_event_refuses_a_malformed_context(context: Any, message: str) -> None:
    with pytest.raises(MalformedAuthorizerContext) as raised:
        principal_from_event(with_context(context))
    assert (str(raised.value), raised.value.reason) == (message, "malformed_authorizer_context")


def test_principal_from_event_refuses_the_non_string_fixtures() -> None:
    for name in ("non_string_scope", "non_string_client_id"):
        with pytest.raises(MalformedAuthorizerContext):
            principal_from_event(proxy_event("GET", "/orders", authorizer=name))


def test_parse_scope_splits_on_single_spaces_and_drops_duplicates() -> None:
    assert parse_scope("read:orders admin read:orders") == frozenset({"read:orders", "admin"})
    assert parse_scope("") == frozenset()


def test_principal_scope_predicates() -> None:
    principal = Principal("p@clients", "p", frozenset({"read:orders", "admin"}))
    assert principal.has_scopes("read:orders", "admin") is True
    assert principal.has_scopes("read:orders", "write:orders") is False
    assert principal.has_any_scope("write:orders", "admin") is True
    assert principal.has_any_scope("write:orders", "refund:orders") is False


def test_principal_log_fields_name_the_caller_and_nothing_else() -> None:
    principal = principal_from_event(proxy_event("GET", "/orders", authorizer="admin"))
    assert principal.log_fields() == {
        "principal_id": "orders-admin@clients",
        "client_id": "orders-admin",
        "scopes": ["admin", "refund:orders"],
        "token_profile": "rfc9068",
        "rules_digest": "0123456789ab",
        "issuer": "https://tenant.example.auth0.com/",
        "org_id": None,
    }


def test_principal_is_hashable_and_compares_without_the_raw_context() -> None:
    a = principal_from_event(proxy_event("GET", "/orders", authorizer="reader"))
    b = Principal("orders-reader@clients", "orders-reader", frozenset({"read:hello", "read:orders"}), "auth0", "0123456789ab",
                  "https://tenant.example.auth0.com/")
    assert a == b and hash(a) == hash(b)
