"""authorizer.bearer: the token out of an Authorization value (through the handler: test_app.py)."""

from __future__ import annotations

import pytest

from authorizer.bearer import parse_bearer
from authorizer.errors import MalformedToken, MissingToken


@pytest.mark.parametrize("value", ["Bearer a.b.c", "bearer a.b.c", "BEARER a.b.c"])
def test_parse_bearer_returns_the_token_under_the_scheme_in_any_case(value: str) -> None:
    assert parse_bearer(value) == "a.b.c"


@pytest.mark.parametrize("value", [None, "", 42])
def test_parse_bearer_refuses_no_value_as_missing(value: object) -> None:
    with pytest.raises(MissingToken):
        parse_bearer(value)


@pytest.mark.parametrize("value", ["Basic a.b.c", "Bearer", "Bearer ", "Bearer  a.b.c", "Bearer a.b.c ", "Bearer a b"])
def test_parse_bearer_refuses_another_scheme_or_stray_whitespace_as_malformed(value: str) -> None:
    with pytest.raises(MalformedToken):
        parse_bearer(value)
