"""authorizer.jwk: parsing a JWKS document strictly (pure: bytes in, keys or a key-set fault out)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from authorizer.errors import JwksUnavailable
from authorizer.jwk import KeySet, parse_jwks
from tests.support.keys import SigningKey, rsa_key


def parse(document: bytes) -> KeySet:
    return parse_jwks(document, default_algorithm="RS256", allowed_algorithms=("RS256",))


class Raw(str):
    """JSON text written as is (a nested object or list built by :func:`members`)."""


def members(*pairs: tuple[str, Any]) -> Raw:
    """A JSON object written member by member, so that a name may appear twice."""
    written = (f"{json.dumps(name)}:{value if isinstance(value, Raw) else json.dumps(value)}" for name, value in pairs)
    return Raw("{" + ",".join(written) + "}")


def key_members(key: SigningKey) -> list[tuple[str, Any]]:
    return list(key.jwk().items())


def keys_document(*keys: str) -> Raw:
    return members(("keys", Raw("[" + ",".join(keys) + "]")))


def test_a_document_repeating_keys_is_refused_not_read_as_its_last_keys(signing_key: SigningKey) -> None:
    # GIVEN two "keys" members: a reader keeping the last one would serve an empty set, the first a good one
    document = members(("keys", Raw(f"[{members(*key_members(signing_key))}]")), ("keys", []))
    # WHEN parsed THEN the whole document is a key-set problem with its own reason
    with pytest.raises(JwksUnavailable, match="repeats the member 'keys'") as raised:
        parse(document.encode())
    assert raised.value.reason == "jwks_duplicate_member"


def test_a_key_repeating_its_modulus_refuses_the_whole_document(signing_key: SigningKey, other_key: SigningKey) -> None:
    # GIVEN a key with two "n" (an attacker's modulus first, the real one last) beside a good key
    twice = [("n", other_key.jwk()["n"]), *key_members(signing_key)]
    document = keys_document(members(*twice), members(*key_members(rsa_key("key-usable"))))
    # WHEN parsed THEN nothing of the document is used, not even the good key
    with pytest.raises(JwksUnavailable, match="repeats the member 'n'") as raised:
        parse(document.encode())
    assert raised.value.reason == "jwks_duplicate_member"


@pytest.mark.parametrize(
    "where, document",
    [
        ("kid of a skipped EC key",
         keys_document(members(("kty", "EC"), ("kid", "a"), ("kid", "b")), members(*key_members(rsa_key("key-1"))))),
        ("a member nested in a key's extension",
         keys_document(members(*key_members(rsa_key("key-1")), ("ext", members(("a", 1), ("a", 2)))))),
        ("the top level, beside keys",
         members(("keys", Raw(f"[{members(*key_members(rsa_key('key-1')))}]")), ("note", 1), ("note", 1))),
    ],
)
def test_a_member_repeated_anywhere_refuses_the_document(where: str, document: str) -> None:
    with pytest.raises(JwksUnavailable) as raised:
        parse(document.encode())
    assert raised.value.reason == "jwks_duplicate_member", where


def test_the_same_members_once_each_parse(signing_key: SigningKey) -> None:
    # the control of the tests above: the writer of these documents alone does not refuse them
    document = keys_document(members(*key_members(signing_key), ("ext", members(("a", 1)))))
    assert list(parse(document.encode()).keys) == [signing_key.kid]


@pytest.mark.parametrize(
    "key_ops, skipped",
    [
        (["verify"], None),
        (["sign", "verify"], None),
        (["sign"], "key_ops_without_verify"),
        ([], "key_ops_without_verify"),
        (["encrypt", "wrapKey"], "key_ops_without_verify"),
        ("verify", "invalid_key_ops"),
        (None, "invalid_key_ops"),
        (["verify", 1], "invalid_key_ops"),
        (["verify", "verify"], "invalid_key_ops"),
        ({"verify": True}, "invalid_key_ops"),
    ],
)
def test_key_ops_must_allow_verify(signing_key: SigningKey, key_ops: Any, skipped: str | None) -> None:
    # GIVEN a key whose key_ops is as given, beside a usable key
    usable = rsa_key("key-usable")
    document = json.dumps({"keys": [signing_key.jwk(key_ops=key_ops), usable.jwk()]}).encode()
    # WHEN parsed
    keys = parse(document)
    # THEN it is used only when key_ops lists verify; otherwise it is skipped and counted with its reason
    if skipped is None:
        assert (sorted(keys.keys), dict(keys.skipped)) == (sorted([signing_key.kid, usable.kid]), {})
    else:
        assert (list(keys.keys), dict(keys.skipped)) == ([usable.kid], {skipped: 1})


def test_a_key_without_key_ops_is_used(signing_key: SigningKey) -> None:
    keys = parse(json.dumps({"keys": [signing_key.jwk()]}).encode())
    assert ("key_ops" in signing_key.jwk(), list(keys.keys)) == (False, [signing_key.kid])


def test_use_other_than_sig_is_still_skipped(signing_key: SigningKey) -> None:
    usable = rsa_key("key-usable")
    keys = parse(json.dumps({"keys": [signing_key.jwk(use="enc"), usable.jwk()]}).encode())
    assert (list(keys.keys), dict(keys.skipped)) == ([usable.kid], {"not_for_signing": 1})


def test_a_set_whose_keys_all_lack_verify_is_a_fault_naming_why(signing_key: SigningKey) -> None:
    document = json.dumps({"keys": [signing_key.jwk(key_ops=["sign"]), rsa_key("key-2").jwk(key_ops="verify")]})
    with pytest.raises(
        JwksUnavailable, match=r"no usable key \(skipped invalid_key_ops: 1, key_ops_without_verify: 1\)"
    ) as raised:
        parse(document.encode())
    assert raised.value.reason == "jwks_no_usable_key"


def signing_input_and_key(key: SigningKey, alg: str = "RS256") -> tuple[bytes, Any]:
    parsed = parse_jwks(json.dumps({"keys": [key.jwk(alg=alg)]}).encode(), default_algorithm=alg,
                        allowed_algorithms=("RS256", "PS256"))
    return b"header.payload", parsed.keys[key.kid]


@pytest.mark.parametrize(
    ("alg", "scheme"),
    [("RS256", padding.PKCS1v15()), ("PS256", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32))],
)
def test_a_key_verifies_its_algorithms_signature_and_nothing_else(signing_key: SigningKey, other_key: SigningKey,
                                                                  alg: str, scheme: Any) -> None:
    # GIVEN a key bound to one algorithm and signatures made with cryptography directly
    signing_input, key = signing_input_and_key(signing_key, alg)
    good = signing_key.private_key.sign(signing_input, scheme, hashes.SHA256())
    # THEN its own signature verifies; another message, another key's or a cut signature does not
    assert key.verify(signing_input, good) is True
    assert key.verify(signing_input + b".", good) is False
    assert key.verify(signing_input, other_key.private_key.sign(signing_input, scheme, hashes.SHA256())) is False
    assert key.verify(signing_input, good[:-1]) is False
    assert key.verify(signing_input, b"") is False


def test_ps256_takes_only_a_salt_as_long_as_the_hash(signing_key: SigningKey) -> None:
    # RFC 7518 §3.5: the salt is as long as the hash (32 bytes); PyJWT verifies the same way
    signing_input, key = signing_input_and_key(signing_key, "PS256")
    longest_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    assert key.verify(signing_input, signing_key.private_key.sign(signing_input, longest_salt, hashes.SHA256())) is False


def test_an_rs256_key_refuses_a_ps256_signature(signing_key: SigningKey) -> None:
    signing_input, key = signing_input_and_key(signing_key, "RS256")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    assert key.verify(signing_input, signing_key.private_key.sign(signing_input, pss, hashes.SHA256())) is False


def test_the_key_is_the_published_modulus_and_exponent(signing_key: SigningKey) -> None:
    _, key = signing_input_and_key(signing_key)
    assert key.public_key.public_numbers() == signing_key.private_key.public_key().public_numbers()


@pytest.mark.parametrize(
    ("change", "skipped"),
    [
        ({"n": "padded="}, None),  # trailing '=' as PyJWT tolerated it (the modulus itself, padded)
        ({"n": "+/+/"}, "unparsable"),  # the standard alphabet is not base64url
        ({"n": "ab cd"}, "unparsable"),
        ({"n": "a"}, "unparsable"),  # one character is not a whole byte
        ({"n": ""}, "unparsable"),
        ({"e": "AQAA"}, "unparsable"),  # 65536: cryptography refuses an even exponent
        ({"e": "AQ"}, "unparsable"),  # 1
        ({"n": "AQAAAAAAAAAB"}, "weak_key"),  # 2**64 + 1: a 65-bit modulus
    ],
)
def test_a_modulus_or_exponent_that_makes_no_strong_rsa_key_is_skipped(signing_key: SigningKey, change: dict[str, str],
                                                                        skipped: str | None) -> None:
    usable = rsa_key("key-usable")
    jwk = signing_key.jwk()
    if change.get("n") == "padded=":
        change = {"n": jwk["n"] + "=" * (-len(jwk["n"]) % 4)}
        assert change["n"].endswith("=")
    keys = parse(json.dumps({"keys": [{**jwk, **change}, usable.jwk()]}).encode())
    if skipped is None:
        assert (sorted(keys.keys), dict(keys.skipped)) == (sorted([signing_key.kid, usable.kid]), {})
    else:
        assert (list(keys.keys), dict(keys.skipped)) == ([usable.kid], {skipped: 1})
