"""Structured fuzz input -> an Authorization value and whether its token is valid.

The fuzzer's bytes choose, field by field, how a token is built: its header
(``alg``, ``typ``, ``kid``, extra and forbidden members), its claims (``iss``,
``aud``, times, ``sub``, client id, ``jti``, ``scope``, ``permissions``,
random extra claims), its JSON and base64url encoding, how it is signed (the
real key, another key under the real ``kid``, a flipped bit, another padding,
random bytes) and how it is put in the ``Authorization`` value. Option 0 of
every choice is the valid one, so the empty input is a valid token.

Each choice that makes the token invalid says why, so the oracle
(:attr:`Recipe.valid`) is written independently of ``authorizer.tokens``.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.support.keys import SigningKey
from tests.support.minting import AUDIENCE, CLIENT_ID, ISSUER

MAX_TOKEN_BYTES = 8192  # the handler's default, which the fuzz target keeps
SCOPE_POOL = ("read:hello", "read:orders", "write:orders", "admin", "refund:orders")
_SCOPE_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F)) - {'"', "\\"}  # RFC 6749 §3.3


class Draw(Protocol):
    """Where the choices come from (atheris' FuzzedDataProvider behind an adapter)."""

    def index(self, count: int) -> int: ...

    def text(self, max_length: int) -> str: ...

    def raw(self, max_length: int) -> bytes: ...


@dataclass
class Recipe:
    """What was built, and every reason it is not a valid token."""

    authorization: str = ""
    token: str = ""
    invalid_because: list[str] = field(default_factory=list)
    subject: str = ""
    scopes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.invalid_because


_ABSENT: Any = object()


def _pick(draw: Draw, recipe: Recipe, name: str, options: list[tuple[Any, bool]]) -> Any:
    """One option; options after the first that are marked False invalidate the token."""
    value, ok = options[draw.index(len(options))]
    if not ok:
        recipe.invalid_because.append(name)
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _scope_tokens_ok(tokens: list[str]) -> bool:
    return all(token and set(token) <= _SCOPE_CHARS for token in tokens)


def _header(draw: Draw, recipe: Recipe, real_kid: str) -> tuple[dict[str, Any], str]:
    profile = ("auth0", "rfc9068")[draw.index(2)]
    valid_typs = ["JWT", "jwt"] if profile == "auth0" else ["at+jwt", "application/at+jwt", "AT+JWT"]
    header: dict[str, Any] = {}
    header["alg"] = _pick(draw, recipe, "alg", [
        ("RS256", True), ("PS256", False), ("HS256", False), ("none", False), ("rs256", False),
        ("RS512", False), (_ABSENT, False), (256, False),
    ])
    typ = _pick(draw, recipe, "typ", [
        (valid_typs[draw.index(len(valid_typs))], True), (_ABSENT, False), ("JOSE", False),
        ("x-" + draw.text(12), False), (1, False),
        ("at+jwt" if profile == "auth0" else "JWT", True),  # the other dialect's typ: see below
    ])
    if typ in ("at+jwt", "JWT") and typ not in valid_typs:
        profile = "rfc9068" if typ == "at+jwt" else "auth0"  # claims then follow the other dialect
    header["typ"] = typ
    header["kid"] = _pick(draw, recipe, "kid", [
        (real_kid, True), ("unknown-" + draw.text(16), False), (_ABSENT, False), ("", False),
        (7, False), ("k" * 300, False),
    ])
    extra = draw.index(4)
    if extra == 1:
        header["x-note"] = draw.text(24)
    elif extra == 2:
        name = ("jku", "x5u", "jwk", "x5c", "crit", "b64", "cty")[draw.index(7)]
        header[name] = draw.text(8) or "x"
        recipe.invalid_because.append(f"header {name}")
    elif extra == 3:
        header["x-" + draw.text(8)] = [draw.text(8), draw.index(1000)]
    return header, profile


def _times(draw: Draw, recipe: Recipe, claims: dict[str, Any], now: int, profile: str) -> None:
    claims["exp"] = _pick(draw, recipe, "exp", [
        (now + 3600, True), (now + 3600.5, True), (now - 3600, False), (_ABSENT, False),
        (str(now + 3600), False), (True, False), (None, False), (math.inf, False),
    ])
    claims["nbf"] = _pick(draw, recipe, "nbf", [
        (_ABSENT, True), (now - 60, True), (now + 3600, False), ("x", False), (None, False),
    ])
    iat_absent_ok = profile == "auth0"
    claims["iat"] = _pick(draw, recipe, "iat", [
        (now, True), (_ABSENT, iat_absent_ok), (now + 3600, False), ("now", False), (False, False),
    ])


def _scope_claims(draw: Draw, recipe: Recipe, claims: dict[str, Any]) -> list[str]:
    pool_pick = [SCOPE_POOL[i] for i in range(len(SCOPE_POOL)) if draw.index(2)]
    scope = _pick(draw, recipe, "scope", [
        ("read:hello", True), (" ".join(pool_pick), True), (_ABSENT, True), ("", True),
        (5, False), ("read:hello  " + " ".join(pool_pick), True), ("read:x " * 300, False),
        (draw.text(40), True),  # validity decided below
    ])
    found: list[str] = []
    if isinstance(scope, str):
        found = [s for s in scope.split(" ") if s]
        if not _scope_tokens_ok(found) and "scope" not in recipe.invalid_because:
            recipe.invalid_because.append("scope characters")
    claims["scope"] = scope
    permissions = _pick(draw, recipe, "permissions", [
        (_ABSENT, True), (list(reversed(pool_pick)), True), ("read:hello", False), ([1], False),
        (None, True), ([draw.text(12)], True),
    ])
    if isinstance(permissions, list) and all(isinstance(p, str) for p in permissions):
        if not _scope_tokens_ok(permissions):
            recipe.invalid_because.append("permission characters")
        found += permissions
    claims["permissions"] = permissions
    if len(found) > 256 and "scope" not in recipe.invalid_because:
        recipe.invalid_because.append("too many scopes")
    return list(dict.fromkeys(found))


def _claims(draw: Draw, recipe: Recipe, profile: str, now: int) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    claims["iss"] = _pick(draw, recipe, "iss", [
        (ISSUER, True), (ISSUER.rstrip("/"), False), ("https://evil.example/", False),
        (_ABSENT, False), (123, False), (ISSUER.upper(), False),
    ])
    claims["aud"] = _pick(draw, recipe, "aud", [
        (AUDIENCE, True), ([AUDIENCE, "other"], True), (["other", AUDIENCE], True), ("other", False),
        ([], False), (_ABSENT, False), ([AUDIENCE, 1], False), (123, False),
    ])
    _times(draw, recipe, claims, now, profile)
    subject = draw.text(24)
    claims["sub"] = _pick(draw, recipe, "sub", [
        (f"{CLIENT_ID}@clients", True), (subject, bool(subject)), ("", False), (_ABSENT, False),
        (123, False),
    ])
    client_claim = "azp" if profile == "auth0" else "client_id"
    claims[client_claim] = _pick(draw, recipe, client_claim, [
        (CLIENT_ID, True), (_ABSENT, False), ("", False), ([], False),
    ])
    claims["jti"] = _pick(draw, recipe, "jti", [
        ("jti-1", True), (_ABSENT, profile == "auth0"), (123, False), ("", False),
    ])
    recipe.scopes = tuple(_scope_claims(draw, recipe, claims))
    extra = draw.index(4)
    if extra == 1:
        claims["gty"] = "client-credentials"
    elif extra == 2:
        claims["x_" + draw.text(8)] = draw.text(32)
    elif extra == 3:
        claims["x_pad"] = "p" * (draw.index(4) * 3000)  # 9000 characters overflow the cap
    if isinstance(claims.get("sub"), str):
        recipe.subject = claims["sub"]
    return {name: value for name, value in claims.items() if value is not _ABSENT}


def _json(document: dict[str, Any], draw: Draw, recipe: Recipe, duplicate: str) -> bytes:
    text = json.dumps(document)  # a non-finite float comes out as a bare Infinity: refused
    if any(isinstance(v, float) and not math.isfinite(v) for v in document.values()):
        recipe.invalid_because.append("non-finite number")
    if draw.index(8) == 1 and duplicate in document:
        text = text[:-1] + f', "{duplicate}": "dup"}}'
        recipe.invalid_because.append(f"duplicate {duplicate}")
    return text.encode("utf-8")


@lru_cache(maxsize=4096)
def _signature(key: SigningKey, signing_input: bytes, pss: bool) -> bytes:
    pad = (
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32) if pss else padding.PKCS1v15()
    )
    return key.private_key.sign(signing_input, pad, hashes.SHA256())


def _sign(draw: Draw, recipe: Recipe, signing_input: bytes, real: SigningKey, other: SigningKey) -> bytes:
    how = _pick(draw, recipe, "signature", [
        ("real", True), ("other key", False), ("flipped bit", False), ("pss padding", False),
        ("random", False), ("empty", False), ("other content", False),
    ])
    if how == "real":
        return _signature(real, signing_input, False)
    if how == "other key":
        return _signature(other, signing_input, False)
    if how == "flipped bit":
        signature = bytearray(_signature(real, signing_input, False))
        position = draw.index(len(signature) * 8)
        signature[position // 8] ^= 1 << (position % 8)
        return bytes(signature)
    if how == "pss padding":
        return _signature(real, signing_input, True)
    if how == "random":
        return draw.raw(300) or b"\x00"
    if how == "empty":
        return b""
    return _signature(real, signing_input + b"x", False)


def _encode(draw: Draw, recipe: Recipe, segments: list[str]) -> str:
    how = _pick(draw, recipe, "encoding", [
        ("compact", True), ("padded", False), ("extra segment", False), ("two segments", False),
        ("standard alphabet", False), ("changed last character", False),
    ])
    if how == "padded":
        target = draw.index(3)
        segments[target] += "=" * (-len(segments[target]) % 4 or 4)
    elif how == "extra segment":
        segments.append("e30")
    elif how == "two segments":
        segments = segments[:2]
    elif how == "standard alphabet":
        segments = [s.replace("-", "+").replace("_", "/") + "+" for s in segments]
    elif how == "changed last character":
        target = draw.index(3)
        last = segments[target][-1:] or "A"
        segments[target] = segments[target][:-1] + ("B" if last == "A" else "A")
    return ".".join(segments)


def _authorization(draw: Draw, recipe: Recipe, token: str) -> str:
    template: Callable[[str], str] = _pick(draw, recipe, "authorization", [
        (lambda t: f"Bearer {t}", True), (lambda t: f"bearer {t}", True),
        (lambda t: f"BEARER {t}", True), (lambda t: f"Bearer  {t}", False), (lambda t: t, False),
        (lambda t: f"Bearer {t} ", False), (lambda t: f"Basic {t}", False),
    ])
    return template(token)


def build_recipe(draw: Draw, real: SigningKey, other: SigningKey, now: int) -> Recipe:
    """Build one Authorization value from ``draw``'s choices."""
    recipe = Recipe()
    header, profile = _header(draw, recipe, real.kid)
    header = {name: value for name, value in header.items() if value is not _ABSENT}
    claims = _claims(draw, recipe, profile, now)
    header_b64 = _b64(_json(header, draw, recipe, "alg"))
    payload_b64 = _b64(_json(claims, draw, recipe, "sub"))
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    signature_b64 = _b64(_sign(draw, recipe, signing_input, real, other))
    recipe.token = _encode(draw, recipe, [header_b64, payload_b64, signature_b64])
    if len(recipe.token) > MAX_TOKEN_BYTES:
        recipe.invalid_because.append("token too large")
    recipe.authorization = _authorization(draw, recipe, recipe.token)
    return recipe
