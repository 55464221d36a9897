"""template.yaml's ValidationExpression: the Bearer scheme in any case, one space, a JWT-shaped token.

API Gateway applies the expression to the Authorization header before invoking the authorizer and
answers 401 itself when it does not match. These tests run the template's own expression, read as
the local gateway reads it, and match it as the local gateway does (whole string).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scopegate_tools.sam_template import load_template

REPO = Path(__file__).resolve().parents[2]
EXPRESSION = load_template(REPO / "template.yaml").apis["Api"].authorizers["ScopegateAuthorizer"].validation_expression
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhQGNsaWVudHMiLCJzY29wZSI6InJlYWQifQ.c2ln-_9"


def passes(header: str) -> bool:
    assert EXPRESSION is not None
    return re.fullmatch(EXPRESSION, header) is not None


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "BeArEr", "bEARER"])
def test_the_scheme_passes_in_any_case(scheme: str) -> None:
    assert passes(f"{scheme} {JWT}")


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="no token"),
        pytest.param("Bearer ", id="empty token"),
        pytest.param(f"Basic {JWT}", id="another scheme"),
        pytest.param(f"Token {JWT}", id="a made-up scheme"),
        pytest.param(f"Bearers {JWT}", id="a longer scheme"),
        pytest.param(f"Bearer{JWT}", id="no space"),
        pytest.param(f"Bearer  {JWT}", id="two spaces"),
        pytest.param(f"bearer  {JWT}", id="two spaces, lower case"),
        pytest.param(f"Bearer\t{JWT}", id="a tab"),
        pytest.param(f" Bearer {JWT}", id="leading space"),
        pytest.param(f"Bearer {JWT} ", id="trailing space"),
        pytest.param(f"Bearer {JWT}\n", id="trailing newline"),
        pytest.param(f"Bearer {JWT} {JWT}", id="two tokens"),
        pytest.param(f"Bearer {JWT}=", id="padding"),
        pytest.param(JWT, id="no scheme"),
        pytest.param(f"BEARER {JWT[:10]}+{JWT[10:]}", id="a character outside base64url"),
    ],
)
def test_malformed_headers_fail_it(header: str) -> None:
    assert not passes(header)


def test_it_needs_no_regex_flag_and_cannot_backtrack() -> None:
    # GIVEN the expression as AWS receives it
    assert EXPRESSION is not None
    # THEN it is anchored at both ends, sets no inline flag such as (?i), and has no group at all,
    # so no quantifier is nested: matching time is linear in the header's length
    assert EXPRESSION.startswith("^") and EXPRESSION.endswith("$")
    assert "(" not in EXPRESSION
