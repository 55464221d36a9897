"""authorizer.tokens: shape checks, then signature and claims; every attack ends in InvalidToken."""

from __future__ import annotations

import base64
import hmac
import hashlib
import json
import time
from typing import Any

import pytest

from authorizer import errors
from authorizer.config import TokenSettings
from authorizer.jwk import VerificationKey, parse_jwks
from authorizer.tokens import Claims, decompose_unverified_jwt, verify_jwt
from tests.support.keys import SigningKey, rsa_key
from tests.support.minting import (
    AUDIENCE,
    CLIENT_ID,
    DROP,
    ISSUER,
    auth0_claims,
    b64,
    mint,
    raw_token,
    resign,
    rfc9068_claims,
)

SETTINGS = TokenSettings(
    issuer=ISSUER,
    audiences=(AUDIENCE,),
    algorithms=("RS256",),
    profiles=("auth0", "rfc9068"),
    clock_skew_seconds=30,
    max_token_bytes=8192,
)


def key_for(signing_key: SigningKey, alg: str | None = "RS256", default: str = "RS256") -> VerificationKey:
    document = json.dumps({"keys": [signing_key.jwk(alg=alg)]}).encode()
    return parse_jwks(document, default_algorithm=default, allowed_algorithms=("RS256", "PS256")).keys[
        signing_key.kid
    ]


def check(token: str, key: VerificationKey, settings: TokenSettings = SETTINGS, now: float | None = None) -> Claims:
    unverified = decompose_unverified_jwt(token, settings)
    return verify_jwt(unverified, key, settings, time.time() if now is None else now)


# --- happy paths -------------------------------------------------------------


def test_verify_accepts_auth0_default_dialect(signing_key: SigningKey) -> None:
    claims = check(mint(signing_key, auth0_claims(scope="read:hello write:orders")), key_for(signing_key))
    assert (claims.subject, claims.client_id, claims.scopes, claims.profile) == (
        f"{CLIENT_ID}@clients",
        CLIENT_ID,
        ("read:hello", "write:orders"),
        "auth0",
    )


def test_verify_accepts_rfc9068_dialect(signing_key: SigningKey) -> None:
    claims = check(mint(signing_key, rfc9068_claims(), typ="at+jwt"), key_for(signing_key))
    assert (claims.client_id, claims.profile, claims.token_id) == (CLIENT_ID, "rfc9068", "jti-1")


def test_verify_accepts_audience_list_holding_ours(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(aud=["https://other", AUDIENCE]))
    assert check(token, key_for(signing_key)).subject == f"{CLIENT_ID}@clients"


def test_verify_merges_rbac_permissions_into_scopes_without_duplicates(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(scope="a b", permissions=["b", "c"]))
    assert check(token, key_for(signing_key)).scopes == ("a", "b", "c")


def test_verify_accepts_token_without_scope_as_no_scopes(signing_key: SigningKey) -> None:
    assert check(mint(signing_key, auth0_claims(scope=DROP)), key_for(signing_key)).scopes == ()


def test_verify_accepts_ps256_with_alg_less_jwk_when_configured(signing_key: SigningKey) -> None:
    settings = TokenSettings(ISSUER, (AUDIENCE,), ("PS256",), ("auth0", "rfc9068"), 30, 8192)
    key = key_for(signing_key, alg=None, default="PS256")
    assert check(mint(signing_key, alg="PS256"), key, settings).client_id == CLIENT_ID


# --- attacks and malformed tokens -----------------------------------------------


def test_verify_rejects_alg_none(signing_key: SigningKey) -> None:
    token = raw_token({"alg": "none", "typ": "JWT", "kid": signing_key.kid}, auth0_claims(), b"")
    token = token.rstrip(".") + "."  # empty signature segment
    with pytest.raises(errors.InvalidToken):
        check(token, key_for(signing_key))


def test_verify_rejects_hs256_signed_with_the_public_key(signing_key: SigningKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = signing_key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": signing_key.kid}).encode())
    payload = b64(json.dumps(auth0_claims()).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(errors.AlgorithmNotAllowed):
        check(f"{header}.{payload}.{b64(mac)}", key_for(signing_key))


def test_verify_rejects_ps256_token_on_a_key_bound_to_rs256(signing_key: SigningKey) -> None:
    settings = TokenSettings(ISSUER, (AUDIENCE,), ("RS256", "PS256"), ("auth0",), 30, 8192)
    with pytest.raises(errors.AlgorithmNotAllowed) as raised:
        check(mint(signing_key, alg="PS256"), key_for(signing_key, alg="RS256"), settings)
    assert raised.value.reason == "alg_key_mismatch"


def test_verify_rejects_token_signed_by_another_key(signing_key: SigningKey, other_key: SigningKey) -> None:
    forged = mint(SigningKey(signing_key.kid, other_key.private_key))
    with pytest.raises(errors.BadSignature):
        check(forged, key_for(signing_key))


def test_verify_rejects_tampered_payload(signing_key: SigningKey) -> None:
    header, _, signature = mint(signing_key).split(".")
    tampered = b64(json.dumps(auth0_claims(scope="admin")).encode())
    with pytest.raises(errors.BadSignature):
        check(f"{header}.{tampered}.{signature}", key_for(signing_key))


@pytest.mark.parametrize("name", ["jku", "x5u", "jwk", "x5c", "crit", "b64", "cty"])
def test_verify_rejects_headers_that_redirect_key_lookup_or_processing(signing_key: SigningKey, name: str) -> None:
    value: Any = ["exp"] if name in ("crit", "x5c") else ("JWT" if name == "cty" else "https://evil.example/jwks")
    if name == "b64":
        value = False
    if name == "jwk":
        value = signing_key.jwk()
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": signing_key.kid, name: value}).encode())
    payload = b64(json.dumps(auth0_claims()).encode())
    with pytest.raises(errors.ForbiddenHeader):
        check(resign(signing_key, header, payload), key_for(signing_key))


@pytest.mark.parametrize("typ", [None, "JOSE", "id_token", "application/jwt"])
def test_verify_rejects_other_token_types(signing_key: SigningKey, typ: str | None) -> None:
    with pytest.raises(errors.WrongTokenType):
        check(mint(signing_key, typ=typ), key_for(signing_key))


def test_verify_rejects_rfc9068_when_only_auth0_profile_configured(signing_key: SigningKey) -> None:
    settings = TokenSettings(ISSUER, (AUDIENCE,), ("RS256",), ("auth0",), 30, 8192)
    with pytest.raises(errors.WrongTokenType):
        check(mint(signing_key, rfc9068_claims(), typ="at+jwt"), key_for(signing_key), settings)


@pytest.mark.parametrize("kid", [None, "", 7, "k" * 257])
def test_verify_rejects_missing_or_unusable_kid(signing_key: SigningKey, kid: Any) -> None:
    header = {"alg": "RS256", "typ": "JWT"} | ({} if kid is None else {"kid": kid})
    token = resign(signing_key, b64(json.dumps(header).encode()), b64(json.dumps(auth0_claims()).encode()))
    with pytest.raises(errors.MalformedToken):
        check(token, key_for(signing_key))


def test_verify_rejects_expired_token(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(exp=int(time.time()) - 31))
    with pytest.raises(errors.TokenExpired):
        check(token, key_for(signing_key))


def test_verify_accepts_expiry_within_clock_skew(signing_key: SigningKey) -> None:
    now = time.time()
    token = mint(signing_key, auth0_claims(exp=int(now) - 10))
    assert check(token, key_for(signing_key), now=now).subject


def test_verify_rejects_not_yet_valid_token(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(nbf=int(time.time()) + 120))
    with pytest.raises(errors.TokenNotYetValid):
        check(token, key_for(signing_key))


def test_verify_rejects_iat_in_the_future_beyond_leeway(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(iat=int(time.time()) + 120))
    with pytest.raises(errors.TokenNotYetValid) as raised:
        check(token, key_for(signing_key))
    assert raised.value.reason == "iat_in_future"


@pytest.mark.parametrize(
    "iss", ["https://tenant.example.auth0.com", "https://evil.example/", "https://tenant.example.auth0.com/x"]
)
def test_verify_rejects_wrong_issuer_including_missing_trailing_slash(signing_key: SigningKey, iss: str) -> None:
    with pytest.raises(errors.WrongIssuer):
        check(mint(signing_key, auth0_claims(iss=iss)), key_for(signing_key))


@pytest.mark.parametrize("aud", ["https://other", ["https://other"], AUDIENCE + "/"])
def test_verify_rejects_wrong_audience(signing_key: SigningKey, aud: Any) -> None:
    with pytest.raises(errors.WrongAudience):
        check(mint(signing_key, auth0_claims(aud=aud)), key_for(signing_key))


@pytest.mark.parametrize(
    "claim, value",
    [
        ("exp", "9999999999"),
        ("exp", True),
        ("exp", None),
        ("exp", DROP),
        ("exp", [1]),
        ("nbf", "0"),
        ("iat", "0"),
        ("iss", DROP),
        ("iss", 5),
        ("aud", DROP),
        ("aud", {"x": 1}),
        ("aud", [AUDIENCE, 3]),
        ("aud", []),
        ("sub", DROP),
        ("sub", 42),
        ("sub", ""),
        ("azp", DROP),
        ("scope", ["read:hello"]),
        ("scope", "read:hello\tadmin"),
        ("permissions", "admin"),
        ("permissions", [1]),
    ],
)
def test_verify_rejects_missing_or_mistyped_claims(signing_key: SigningKey, claim: str, value: Any) -> None:
    with pytest.raises(errors.InvalidToken):
        check(mint(signing_key, auth0_claims(**{claim: value})), key_for(signing_key))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_verify_rejects_a_time_claim_too_large_for_a_float_as_invalid_claim(
    signing_key: SigningKey, claim: str
) -> None:
    # GIVEN a signed token whose time claim is an integer beyond float range (OverflowError in float())
    # WHEN it is verified THEN it is an invalid claim (401), not a crash (500)
    token = mint(signing_key, auth0_claims(**{claim: 10**400}))
    with pytest.raises(errors.InvalidClaim) as refused:
        check(token, key_for(signing_key))
    assert (refused.value.reason, str(refused.value)) == ("invalid_claim", f"claim '{claim}' is not a number")


@pytest.mark.parametrize("claim", ["client_id", "jti", "iat"])
def test_verify_rejects_rfc9068_token_without_its_required_claims(signing_key: SigningKey, claim: str) -> None:
    token = mint(signing_key, rfc9068_claims(**{claim: DROP}), typ="at+jwt")
    with pytest.raises(errors.InvalidClaim):
        check(token, key_for(signing_key))


def test_verify_rejects_oversized_token_before_decoding(signing_key: SigningKey) -> None:
    token = mint(signing_key, auth0_claims(pad="x" * 9000))
    with pytest.raises(errors.TokenTooLarge):
        check(token, key_for(signing_key))


def test_verify_rejects_duplicate_json_members(signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": signing_key.kid}).encode())
    payload_text = json.dumps(auth0_claims())[:-1] + ', "iss": "https://evil.example/"}'
    token = resign(signing_key, header, b64(payload_text.encode()))
    with pytest.raises(errors.MalformedToken):
        check(token, key_for(signing_key))


def test_verify_rejects_nan_and_infinity(signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": signing_key.kid}).encode())
    payload_text = json.dumps(auth0_claims())[:-1] + ', "nbf": NaN}'
    with pytest.raises(errors.MalformedToken):
        check(resign(signing_key, header, b64(payload_text.encode())), key_for(signing_key))


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a..c",
        "eyJ=.eyJ.sig",
        "e30.e30.sig=",
        "not base64!.e30.e30",
        " eyJhbGciOiJSUzI1NiJ9.e30.e30",
    ],
)
def test_verify_rejects_malformed_compact_serialisation(signing_key: SigningKey, token: str) -> None:
    with pytest.raises(errors.InvalidToken):
        check(token, key_for(signing_key))


def test_verify_rejects_non_canonical_base64(signing_key: SigningKey) -> None:
    token = mint(signing_key)
    header, payload, signature = token.split(".")
    # flip the unused low bits of the last character of the signature segment
    last = signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    assert base64.urlsafe_b64decode(signature[:-1] + twin + "==") == base64.urlsafe_b64decode(signature + "==")
    with pytest.raises(errors.MalformedToken):
        check(f"{header}.{payload}.{signature[:-1]}{twin}", key_for(signing_key))


def test_verify_rejects_payload_that_is_not_an_object(signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": signing_key.kid}).encode())
    with pytest.raises(errors.MalformedToken):
        check(resign(signing_key, header, b64(b"[1,2]")), key_for(signing_key))


def test_verify_rejects_deeply_nested_payload_without_crashing(signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": signing_key.kid}).encode())
    nested = b64(("[" * 5000 + "]" * 5000).encode())
    with pytest.raises(errors.InvalidToken):
        check(f"{header}.{nested}.AAAA", key_for(signing_key))


def test_parse_jwks_skips_weak_rsa_keys(signing_key: SigningKey) -> None:
    weak = rsa_key("weak", bits=1024)
    document = json.dumps({"keys": [weak.jwk(), signing_key.jwk()]}).encode()
    keys = parse_jwks(document, default_algorithm="RS256", allowed_algorithms=("RS256",))
    assert (list(keys.keys), dict(keys.skipped)) == ([signing_key.kid], {"weak_key": 1})


def test_parse_jwks_refuses_a_document_with_no_usable_key_as_a_fault() -> None:
    # GIVEN a JWKS whose only key cannot be used WHEN parsed THEN it is a fault (500, and the JWKS
    # cache keeps its last good keys), naming what was skipped, not a 401 for every client
    weak = rsa_key("weak", bits=1024)
    with pytest.raises(errors.JwksUnavailable, match=r"no usable key \(skipped weak_key: 1\)") as raised:
        parse_jwks(json.dumps({"keys": [weak.jwk()]}).encode(), default_algorithm="RS256", allowed_algorithms=("RS256",))
    assert raised.value.reason == "jwks_no_usable_key"


def test_parse_jwks_skips_a_key_published_with_its_private_members(signing_key: SigningKey) -> None:
    # GIVEN a JWKS entry that also carries the private key (d, p, q, ...): PyJWK would load a private
    # key, whose verify() does not exist (AttributeError, a 500 for every token of that kid)
    # WHEN the JWKS is parsed THEN the entry is skipped, never used
    from jwt.algorithms import RSAAlgorithm

    leaked = {**json.loads(RSAAlgorithm.to_jwk(signing_key.private_key)), "kid": signing_key.kid, "alg": "RS256"}
    other = rsa_key("key-other").jwk()
    document = json.dumps({"keys": [leaked, other]}).encode()
    keys = parse_jwks(document, default_algorithm="RS256", allowed_algorithms=("RS256",))
    assert (list(keys.keys), dict(keys.skipped)) == (["key-other"], {"private_key": 1})


# --- CLIENT_CREDENTIALS_ONLY -------------------------------------------------------------------

M2M_ONLY = TokenSettings(ISSUER, (AUDIENCE,), ("RS256",), ("auth0", "rfc9068"), 30, 8192, client_credentials_only=True)


@pytest.mark.parametrize(
    "claims, typ",
    [
        (auth0_claims(), "JWT"),
        (rfc9068_claims(), "at+jwt"),  # the RFC 9068 dialect carries no gty
    ],
)
def test_client_credentials_tokens_pass_when_only_they_are_accepted(
    signing_key: SigningKey, claims: dict, typ: str
) -> None:
    assert check(mint(signing_key, claims, typ=typ), key_for(signing_key), M2M_ONLY).client_id == CLIENT_ID


@pytest.mark.parametrize(
    "claims, typ",
    [
        (auth0_claims(sub="auth0|user-1", gty=DROP), "JWT"),  # a user's token
        (auth0_claims(gty="password"), "JWT"),  # the password grant
        (auth0_claims(gty=DROP), "JWT"),  # no gty in the Auth0 dialect
        (auth0_claims(sub="other-client@clients"), "JWT"),  # sub and azp disagree
        (rfc9068_claims(sub="auth0|user-1"), "at+jwt"),
    ],
)
def test_tokens_of_other_grants_are_refused_when_only_client_credentials_are_accepted(
    signing_key: SigningKey, claims: dict, typ: str
) -> None:
    token = mint(signing_key, claims, typ=typ)
    with pytest.raises(errors.NotClientCredentials) as refused:
        check(token, key_for(signing_key), M2M_ONLY)
    assert refused.value.reason == "not_client_credentials"
    # AND the same token passes where the setting is off (the default)
    assert check(token, key_for(signing_key)).subject == claims["sub"]
