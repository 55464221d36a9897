"""authorizer.tokens: the fast base64url and header checks accept and refuse exactly what the plain ones do."""

from __future__ import annotations

import base64
import binascii
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authorizer.config import TokenSettings
from authorizer.errors import MalformedToken, WrongTokenType
from authorizer.tokens import _b64url_decode, decompose_unverified_jwt
from tests.support.minting import b64

SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
SETTINGS = TokenSettings("https://i/", ("aud",), ("RS256",), ("auth0", "rfc9068"), 30, 8192)


def plain_decode(segment: str) -> bytes | None:
    """The obvious strict decoder: alphabet, no padding, and re-encoding gives the segment back."""
    if not SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == segment else None


def fast_decode(segment: str) -> bytes | None:
    try:
        return _b64url_decode(segment)
    except MalformedToken:
        return None


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="AQgwBRhxEIMcks048_-+/=. ", max_size=14))
def test_fast_decoder_agrees_with_the_plain_one_on_any_text(segment: str) -> None:
    assert fast_decode(segment) == plain_decode(segment)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40))
def test_fast_decoder_round_trips_every_canonical_segment(raw: bytes) -> None:
    segment = b64(raw)
    assert fast_decode(segment) == (raw if segment else None)


def test_a_memoized_header_is_read_only_and_refusals_are_not_memoized() -> None:
    # GIVEN a good header and a bad one WHEN decomposed twice THEN the bad one is refused both times
    good = b64(b'{"alg":"RS256","typ":"JWT","kid":"k1"}')
    bad = b64(b'{"alg":"RS256","typ":"JOSE","kid":"k1"}')
    token = f"{good}.{b64(b'{}')}.{b64(b'sig')}"
    first = decompose_unverified_jwt(token, SETTINGS)
    assert decompose_unverified_jwt(token, SETTINGS).header is first.header
    with pytest.raises(TypeError):
        first.header["alg"] = "none"  # type: ignore[index]
    for _ in range(2):
        with pytest.raises(WrongTokenType):
            decompose_unverified_jwt(f"{bad}.{b64(b'{}')}.{b64(b'sig')}", SETTINGS)
