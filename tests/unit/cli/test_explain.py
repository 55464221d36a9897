"""python -m scopegate_tools explain: decisions for scopes or a token, and what one route takes."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from tests.support.keys import SigningKey
from tests.support.minting import auth0_claims, mint
from tests.support.orders_example import Example
from tests.unit.cli.conftest import run_cli

SCOPES_GOLDEN = """\
Scopes: read:orders vip (from --scopes)

ROUTE                      REQUESTS            DECISION  WHY
GET /orders                every request       allowed   rule 1 (GET /orders) needs admin OR read:orders
POST /orders               every request       denied    rule 2 (POST /orders) needs write:orders; missing write:orders
GET /orders/{id}           e.g. GET /orders/x  allowed   rule 3 (GET /orders/{id}) needs admin OR read:orders
                           GET /orders/1       allowed   rule 3 (GET /orders/{id}) needs admin OR read:orders; rule 6 (GET /orders/1) needs vip
DELETE /orders/{id}        every request       denied    rule 4 (DELETE /orders/*) needs admin; missing admin
POST /orders/{id}/refunds  every request       denied    rule 5 (POST /orders/{id}/refunds) needs refund:orders; missing refund:orders
GET /orders/{id}/refunds   every request       allowed   rule 3 (GET /orders/{id}) needs admin OR read:orders
ANY /admin/{proxy+}        every request       denied    rule 7 (* /admin/*) denies it
"""

ROUTE_GOLDEN = """\
GET /orders/{id}: template route GET /orders/{id} (line 26)
Scopes: read:orders (from --scopes)

other requests, e.g. GET /orders/x:
  matching rules:
    policies/rules.yaml:7: rule 3 (GET /orders/{id}) needs admin OR read:orders
  to be allowed, a token needs: admin OR read:orders
  with these scopes: allowed (rule 3 (GET /orders/{id}) needs admin OR read:orders)

GET /orders/1:
  matching rules:
    policies/rules.yaml:7: rule 3 (GET /orders/{id}) needs admin OR read:orders
    policies/rules.yaml:13: rule 6 (GET /orders/1) needs vip
  to be allowed, a token needs: (admin OR read:orders) AND vip
  with these scopes: denied (rule 6 (GET /orders/1) needs vip; missing vip)
"""


def test_explain_scopes_prints_every_route_allowed_or_denied_and_why(orders: Example) -> None:
    result = run_cli("explain", "--scopes", "read:orders vip")
    assert (result.code, result.out, result.err) == (0, SCOPES_GOLDEN, "")


def test_explain_says_one_of_for_an_or_requirement_and_keeps_the_kinds_apart_in_json(orders: Example) -> None:
    # GIVEN a token with write:orders only; GET /orders takes read:orders OR admin
    text = run_cli("explain", "--scopes", "write:orders")
    report = json.loads(run_cli("explain", "--scopes", "write:orders", "--format", "json").out)
    # THEN the text says one of them is missing, not both
    row = next(line for line in text.out.splitlines() if line.startswith("GET /orders "))
    assert row.split("denied", 1)[1].strip() == (
        "rule 1 (GET /orders) needs admin OR read:orders; missing one of: admin, read:orders"
    )
    # AND the JSON says so as data
    (decision,) = next(r for r in report["routes"] if r["route"] == "GET /orders")["requests"]
    assert decision["missing"] == {"all_of": [], "one_of": [["admin", "read:orders"]]}


def test_explain_a_template_route_shows_each_kind_of_request_and_what_it_takes(orders: Example) -> None:
    result = run_cli("explain", "GET /orders/{id}", "--scopes", "read:orders")
    assert (result.code, result.out) == (0, ROUTE_GOLDEN)


def test_explain_a_request_names_its_route_and_requirement(orders: Example) -> None:
    result = run_cli("explain", "delete /orders/42")
    assert result.out == (
        "DELETE /orders/42: route DELETE /orders/{id} of the template (line 27)\n"
        "\n"
        "  matching rules:\n"
        "    policies/rules.yaml:9: rule 4 (DELETE /orders/*) needs admin\n"
        "  to be allowed, a token needs: admin\n"
    )


def test_explain_a_public_route_says_the_rules_are_not_consulted(orders: Example) -> None:
    result = run_cli("explain", "GET /health", "--format", "json")
    assert json.loads(result.out) == {
        "target": "GET /health",
        "goes_to": "a public route (Authorizer: NONE): the authorizer never sees it",
        "rules_apply": False,
        "requests": [{"request": "GET /health", "label": "GET /health", "rules": [], "requirement": "DENY (no rule matches)"}],
    }


def test_explain_token_uses_its_scopes_says_unverified_and_never_prints_it(
    orders: Example, signing_key: SigningKey
) -> None:
    token = mint(signing_key, auth0_claims(scope="admin", permissions=["vip"]))
    result = run_cli("explain", "--token", token, "--format", "json")
    report = json.loads(result.out)
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:12]
    assert report["scopes"] == ["admin", "vip"]
    assert report["scopes_origin"] == (
        f"from --token {fingerprint} (SHA-256 prefix), decoded WITHOUT verification: "
        "signature, issuer, audience and expiry were not checked"
    )
    assert [r["decision"] for r in report["routes"]] == [
        "allowed", "denied", "allowed", "allowed", "denied", "allowed", "denied",
    ]
    text = run_cli("explain", "--token", token)
    for part in token.split("."):
        assert part not in text.out + text.err + result.out


def test_explain_token_that_does_not_decode_exits_2_without_echoing_it(orders: Example) -> None:
    result = run_cli("explain", "--token", "not-a-jwt-secretish")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: the token does not decode (token does not have three segments); "
        "the authorizer would refuse it (401)\n"
    )


def test_explain_without_scopes_token_or_route_is_a_usage_error(orders: Example) -> None:
    result = run_cli("explain")
    assert (result.code, result.err) == (2, "error: give --scopes, --token or a route, e.g. explain 'GET /hello'\n")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_explain_reads_the_token_from_stdin_with_a_dash(
    orders: Example, signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    # GIVEN a pasted Authorization value, whose scheme is case-insensitive (RFC 7235)
    token = mint(signing_key, auth0_claims(scope="write:orders"))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{scheme} {token}\n"))
    result = run_cli("explain", "--token", "-", "--format", "json")
    assert json.loads(result.out)["scopes"] == ["write:orders"]
