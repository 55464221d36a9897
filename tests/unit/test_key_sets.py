"""authorizer.key_sets: several issuers, each with its own keys, served by real JWKS servers on 127.0.0.1.

The engine is built from an issuers file naming two issuers, each a :class:`JwksServer` whose
base URL is the issuer (``iss``) and whose ``/.well-known/jwks.json`` its default JWKS URI, and
fetches over HTTP with the authorizer's own fetcher. The acceptance criteria of several issuers:
each issuer's tokens pass with its own audience; another issuer's audience or key does not; the
same ``kid`` at two issuers never crosses; an unknown issuer never causes a fetch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from authorizer import errors
from authorizer.config import read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from authorizer.http_fetch import make_http_fetcher
from tests.support.jwks_server import Answer, JwksServer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.minting import auth0_claims, mint, rfc9068_claims

API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
AUDIENCE_A, AUDIENCE_B = "https://api.example.com", "https://staging-api.example.com"
RULES = "version: 1\nrules:\n  - route: GET /orders/*\n    scopes: [read:orders]\n"


@dataclass
class TwoIssuers:
    a: JwksServer
    b: JwksServer
    key_a: SigningKey
    key_b: SigningKey
    engine: Engine

    @property
    def iss_a(self) -> str:
        return self.a.base_url + "/"

    @property
    def iss_b(self) -> str:
        return self.b.base_url + "/"

    def token(self, key: SigningKey, iss: str, aud: str, **claims: Any) -> str:
        return mint(key, auth0_claims(iss=iss, aud=aud, scope="read:orders", **claims))

    def decide(self, token: str) -> tuple[dict[str, Any], DecisionRecord]:
        record = DecisionRecord()
        event = {"type": "TOKEN", "methodArn": f"{API}/GET/orders/1", "authorizationToken": f"Bearer {token}"}
        return self.engine.authorize(event, record), record


def issuers_file(tmp_path: Path, a: JwksServer, b: JwksServer, profiles_a: str = "") -> Path:
    path = tmp_path / "issuers.yaml"
    path.write_text(
        "version: 1\nissuers:\n"
        f"  - issuer: {a.base_url}/\n    audiences: [{AUDIENCE_A}]\n{profiles_a}"
        f"  - issuer: {b.base_url}/\n    audiences: [{AUDIENCE_B}]\n"
    )
    return path


def build(tmp_path: Path, a: JwksServer, b: JwksServer, profiles_a: str = "") -> Engine:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    settings = read_settings({"ISSUERS_FILE": str(issuers_file(tmp_path, a, b, profiles_a)), "RULES_FILE": str(rules)})
    return Engine.from_settings(settings)


@pytest.fixture
def two(tmp_path: Path) -> Iterator[TwoIssuers]:
    key_a, key_b = rsa_key("issuer-a-key"), rsa_key("issuer-b-key")
    with running_jwks_server() as a, running_jwks_server() as b:
        a.serve_keys(key_a.jwk())
        b.serve_keys(key_b.jwk())
        yield TwoIssuers(a, b, key_a, key_b, build(tmp_path, a, b))


def test_tokens_of_each_issuer_are_accepted_with_their_own_audience(two: TwoIssuers) -> None:
    # GIVEN a token from each issuer, for that issuer's audience
    response_a, record_a = two.decide(two.token(two.key_a, two.iss_a, AUDIENCE_A))
    response_b, record_b = two.decide(two.token(two.key_b, two.iss_b, AUDIENCE_B))
    # THEN both are allowed, each says its issuer, and each issuer's keys were fetched once, by it
    assert (record_a.outcome, record_a.issuer, response_a["context"]["issuer"]) == ("allow", two.iss_a, two.iss_a)
    assert (record_b.outcome, record_b.issuer, response_b["context"]["issuer"]) == ("allow", two.iss_b, two.iss_b)
    assert (two.a.requests, two.b.requests) == (1, 1)


def test_an_issuers_token_naming_another_issuers_audience_is_refused(two: TwoIssuers) -> None:
    with pytest.raises(errors.WrongAudience):
        two.decide(two.token(two.key_a, two.iss_a, AUDIENCE_B))
    with pytest.raises(errors.WrongAudience):
        two.decide(two.token(two.key_b, two.iss_b, AUDIENCE_A))


def test_an_issuers_token_signed_with_another_issuers_key_is_refused_and_only_its_issuer_is_asked(
    two: TwoIssuers,
) -> None:
    # GIVEN a token that names issuer A but is signed with B's key (B's kid)
    with pytest.raises(errors.UnknownKid):
        two.decide(two.token(two.key_b, two.iss_a, AUDIENCE_A))
    # THEN A's key set (fetched, then refetched once for the unknown kid) was asked; B's never
    assert (two.a.requests, two.b.requests) == (2, 0)


def test_the_same_kid_at_two_issuers_never_crosses(tmp_path: Path) -> None:
    # GIVEN two issuers that both publish a key with kid "k1", each its own key material
    mine, theirs = SigningKey("k1", rsa_key("collision-a").private_key), SigningKey("k1", rsa_key("collision-b").private_key)
    with running_jwks_server() as a, running_jwks_server() as b:
        a.serve_keys(mine.jwk())
        b.serve_keys(theirs.jwk())
        two = TwoIssuers(a, b, mine, theirs, build(tmp_path, a, b))
        # WHEN each issuer's own tokens are checked, then each issuer's kid used with the other's iss
        assert two.decide(two.token(mine, two.iss_a, AUDIENCE_A))[1].outcome == "allow"
        assert two.decide(two.token(theirs, two.iss_b, AUDIENCE_B))[1].outcome == "allow"
        # THEN a token naming A and signed by B's k1 (or the reverse) fails: only A's k1 is asked
        with pytest.raises(errors.BadSignature):
            two.decide(two.token(theirs, two.iss_a, AUDIENCE_A))
        with pytest.raises(errors.BadSignature):
            two.decide(two.token(mine, two.iss_b, AUDIENCE_B))
        assert (a.requests, b.requests) == (1, 1)


def test_an_unknown_issuer_is_refused_before_any_key_lookup_and_a_flood_of_them_fetches_nothing(
    two: TwoIssuers,
) -> None:
    # GIVEN 50 tokens, each naming an issuer nobody trusts (one a near miss: no trailing slash)
    near_miss = two.token(two.key_a, two.a.base_url, AUDIENCE_A)
    flood = [two.token(rsa_key("attacker"), f"https://issuer-{n}.example/", AUDIENCE_A, jti=str(n)) for n in range(49)]
    # WHEN the authorizer sees them, before any valid token
    for token in [near_miss, *flood]:
        with pytest.raises(errors.UnknownIssuer) as raised:
            two.decide(token)
        assert raised.value.reason == "unknown_issuer"
    # THEN no key set was fetched, from any issuer
    assert (two.a.requests, two.b.requests) == (0, 0)


def test_an_issuer_accepts_only_its_own_profiles_and_refuses_others_without_a_fetch(tmp_path: Path) -> None:
    key = rsa_key("issuer-a-key")
    with running_jwks_server() as a, running_jwks_server() as b:
        a.serve_keys(key.jwk())
        b.serve_keys(key.jwk())
        engine = build(tmp_path, a, b, profiles_a="    profiles: [auth0]\n")
        two = TwoIssuers(a, b, key, key, engine)
        rfc9068 = rfc9068_claims(iss=two.iss_a, aud=AUDIENCE_A, scope="read:orders")
        with pytest.raises(errors.WrongTokenType):
            two.decide(mint(key, rfc9068, typ="at+jwt"))
        assert a.requests == 0
        # AND issuer B, which keeps TOKEN_PROFILES' default, accepts the same dialect
        rfc9068_b = rfc9068_claims(iss=two.iss_b, aud=AUDIENCE_B, scope="read:orders")
        assert two.decide(mint(key, rfc9068_b, typ="at+jwt"))[1].outcome == "allow"


def test_prefetch_fetches_every_issuer_even_when_one_fails(two: TwoIssuers) -> None:
    # GIVEN issuer A's endpoint failing
    two.a.serve(Answer(status=500, body=b"down"))
    # WHEN the keys are fetched ahead of the first token
    ready = two.engine.jwks.prefetch()
    # THEN B's keys are there (B's token needs no fetch), and the failure is reported
    assert (ready, two.a.requests, two.b.requests) == (False, 1, 1)
    assert two.decide(two.token(two.key_b, two.iss_b, AUDIENCE_B))[1].jwks_cached is True


def test_prefetch_fetches_the_issuers_at_once_not_one_after_the_other(two: TwoIssuers) -> None:
    # GIVEN both issuers answering after 1 s WHEN the keys are fetched ahead of the first token
    for server in (two.a, two.b):
        server.serve(Answer(body=server.answer.body, delay_seconds=1.0))
    assert two.engine.jwks.prefetch() is True
    # THEN each request reached its server before either answer was sent: init waits for the
    # slowest round trip, not for their sum (one after the other, B's request would follow A's answer)
    assert max(two.a.arrivals + two.b.arrivals) < min(two.a.answered + two.b.answered)
    assert two.decide(two.token(two.key_a, two.iss_a, AUDIENCE_A))[1].jwks_cached is True


def test_an_unexpected_error_on_a_prefetch_thread_is_raised_as_one_issuers_would_be(tmp_path: Path) -> None:
    # GIVEN two issuers whose fetcher fails in a way the JWKS cache does not expect for one of them
    key = rsa_key("issuer-key")
    with running_jwks_server() as a, running_jwks_server() as b:
        for server in (a, b):
            server.serve_keys(key.jwk())
        fetch = make_http_fetcher(2.0, 64 * 1024)

        def fetcher(url: str) -> bytes:
            if url.startswith(b.base_url):
                raise RuntimeError("a bug in the fetcher")
            return fetch(url)

        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES)
        settings = read_settings({"ISSUERS_FILE": str(issuers_file(tmp_path, a, b)), "RULES_FILE": str(rules)})
        engine = Engine.from_settings(settings, fetcher=fetcher)
        # WHEN the keys are fetched ahead of the first token THEN the error reaches the caller (init
        # fails as it does with one issuer), after every issuer was tried
        with pytest.raises(RuntimeError, match="a bug in the fetcher"):
            engine.jwks.prefetch()
        assert a.requests == 1
