"""authorizer.jwks: the key cache against a real JWKS server on 127.0.0.1, with a clock the test moves."""

from __future__ import annotations

import json

import pytest

from authorizer.config import JwksSettings
from authorizer.errors import JwksUnavailable, UnknownKid
from authorizer.jwks import FetchRecord, JwksCache, make_http_fetcher
from tests.support.jwks_server import Answer, JwksServer
from tests.support.keys import SigningKey, rsa_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_cache(server: JwksServer, clock: Clock, **overrides) -> tuple[JwksCache, list[FetchRecord]]:
    settings = JwksSettings(
        uri=server.url,
        default_algorithm="RS256",
        allowed_algorithms=("RS256",),
        cache_ttl_seconds=600,
        max_stale_seconds=3600,
        unknown_kid_cooldown_seconds=30,
        retry_after_failure_seconds=5,
        timeout_seconds=0.5,
        max_bytes=64 * 1024,
    )
    settings = settings._replace(**overrides)
    records: list[FetchRecord] = []
    cache = JwksCache(settings, make_http_fetcher(settings.timeout_seconds, settings.max_bytes), clock, records.append)
    return cache, records


def test_one_fetch_serves_many_lookups(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    cache, records = make_cache(jwks_server, Clock())
    results = [cache.get_key(signing_key.kid)[1] for _ in range(1000)]
    assert (jwks_server.requests, results[0], all(results[1:])) == (1, False, True)
    assert [(r.ok, r.trigger) for r in records] == [(True, "initial")]


def test_scheduled_refresh_after_ttl(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    clock = Clock()
    cache, records = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    clock.now += 601
    cache.get_key(signing_key.kid)
    assert [r.trigger for r in records] == ["initial", "scheduled"]


def test_unknown_kid_refetches_once_then_cools_down(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    clock = Clock()
    cache, _ = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    for _ in range(100):
        with pytest.raises(UnknownKid):
            cache.get_key("forged")
    assert jwks_server.requests == 2  # the initial fetch and one unknown-kid refetch
    clock.now += 30
    with pytest.raises(UnknownKid):
        cache.get_key("forged")
    assert jwks_server.requests == 3


def test_key_published_after_a_scheduled_fetch_is_picked_up_at_once(
    jwks_server: JwksServer, signing_key: SigningKey
) -> None:
    clock = Clock()
    cache, _ = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    clock.now += 601
    cache.get_key(signing_key.kid)  # scheduled refresh: does not arm the cooldown
    new_key = rsa_key("key-next")
    jwks_server.serve_keys(signing_key.jwk(), new_key.jwk())
    clock.now += 1
    assert cache.get_key("key-next")[0].kid == "key-next"


def test_rotation_drops_a_revoked_key(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    clock = Clock()
    cache, _ = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve_keys(rsa_key("key-next").jwk())
    clock.now += 601
    with pytest.raises(UnknownKid):
        cache.get_key(signing_key.kid)


def test_outage_serves_cached_keys_for_a_bounded_time(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    clock = Clock()
    cache, records = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve(Answer(status=503, body=b"down"))
    clock.now += 601
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid  # stale but usable
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid  # within backoff: no new request
    assert jwks_server.requests == 2
    clock.now += 600 + 3600  # past ttl + max stale
    with pytest.raises(JwksUnavailable):
        cache.get_key(signing_key.kid)
    assert [r.result for r in records] == ["ok", "jwks_http_error", "jwks_http_error"]


def test_a_refresh_that_stalls_mid_body_serves_cached_keys_and_backs_off(
    jwks_server: JwksServer, signing_key: SigningKey
) -> None:
    # GIVEN cached keys WHEN the scheduled refresh's body stalls past the socket timeout
    # THEN the cached keys still serve, and the failure starts the backoff (no fetch per call)
    clock = Clock()
    cache, records = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve(Answer(body=json.dumps({"keys": [signing_key.jwk()]}).encode(), trickle_seconds=0.8))
    clock.now += 601
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert (jwks_server.requests, [r.result for r in records]) == (2, ["ok", "jwks_timeout"])


def test_outage_at_cold_start_is_a_fault(jwks_server: JwksServer) -> None:
    jwks_server.serve(Answer(status=500, body=b"boom"))
    cache, _ = make_cache(jwks_server, Clock())
    with pytest.raises(JwksUnavailable) as raised:
        cache.get_key("key-1")
    assert raised.value.reason == "jwks_http_error"
    with pytest.raises(JwksUnavailable) as again:
        cache.get_key("key-1")
    assert (again.value.reason, jwks_server.requests) == ("jwks_backoff", 1)


@pytest.mark.parametrize(
    "answer, reason",
    [
        (Answer(body=b"not json"), "jwks_invalid"),
        (Answer(body=b'{"no_keys": []}'), "jwks_invalid"),
        (Answer(body=b"[]"), "jwks_invalid"),
        (Answer(body=b'{"keys": [' + b'{"kty":"RSA"},' * 8000 + b"{}]}"), "jwks_too_large"),
        (Answer(status=302, headers={"Location": "https://evil.example/jwks"}), "jwks_http_error"),
        (Answer(delay_seconds=0.8), "jwks_timeout"),
        (Answer(body=b'{"keys": []}' + b" " * 4000, trickle_seconds=0.05), "jwks_timeout"),
        (Answer(drop_connection=True), "jwks_unreachable"),
        # a body that stalls once the headers have come
        (Answer(body=b'{"keys": []}' + b" " * 200, trickle_seconds=0.8), "jwks_timeout"),
        (Answer(body=b'{"keys": []}', headers={"Content-Encoding": "gzip"}), "jwks_unreachable"),
    ],
)
def test_bad_answers_are_faults_with_a_reason(jwks_server: JwksServer, answer: Answer, reason: str) -> None:
    jwks_server.serve(answer)
    cache, _ = make_cache(jwks_server, Clock())
    with pytest.raises(JwksUnavailable) as raised:
        cache.get_key("key-1")
    assert raised.value.reason == reason


def test_keys_of_the_wrong_type_or_without_kid_are_skipped(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    usable = rsa_key("key-usable").jwk()
    jwks_server.serve(
        Answer(
            body=json.dumps(
                {"keys": [{"kty": "EC", "kid": "ec"}, {**signing_key.jwk(), "kid": ""}, signing_key.jwk(use="enc"), usable]}
            ).encode()
        )
    )
    cache, _ = make_cache(jwks_server, Clock())
    assert cache.get_key("key-usable")[0].kid == "key-usable"
    with pytest.raises(UnknownKid):
        cache.get_key(signing_key.kid)


def test_duplicate_kids_are_ambiguous_and_refused(jwks_server: JwksServer, signing_key: SigningKey, other_key: SigningKey) -> None:
    jwks_server.serve_keys(
        signing_key.jwk(), SigningKey(signing_key.kid, other_key.private_key).jwk(), rsa_key("key-usable").jwk()
    )
    cache, _ = make_cache(jwks_server, Clock())
    with pytest.raises(UnknownKid):
        cache.get_key(signing_key.kid)


def _duplicate_modulus(key: SigningKey) -> Answer:
    # the key's members with "n" written twice: an attacker's modulus first, the real one last
    jwk = json.dumps(key.jwk())
    return Answer(body=('{"keys": [{"n": "' + rsa_key("attacker").jwk()["n"] + '", ' + jwk[1:] + "]}").encode())


@pytest.mark.parametrize(
    "bad_publish, reason",
    [
        (lambda key: Answer(body=json.dumps({"keys": [key.jwk(use="enc")]}).encode()), "jwks_no_usable_key"),
        (lambda key: Answer(body=json.dumps({"keys": [key.jwk(key_ops=["sign"])]}).encode()), "jwks_no_usable_key"),
        (_duplicate_modulus, "jwks_duplicate_member"),
        (lambda key: Answer(body=('{"keys": [' + json.dumps(key.jwk()) + '], "keys": []}').encode()),
         "jwks_duplicate_member"),
    ],
    ids=["use enc only", "key_ops without verify only", "a key with two n", "two keys members"],
)
def test_a_bad_publish_is_a_fault_and_the_last_good_keys_stay(
    jwks_server: JwksServer, signing_key: SigningKey, bad_publish, reason: str
) -> None:
    # GIVEN a warm cache WHEN a scheduled refresh brings a bad publish
    clock = Clock()
    cache, records = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve(bad_publish(signing_key))
    clock.now += 601
    # THEN the last good key still verifies, and the refresh is recorded as a failure with its reason
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert [(r.ok, r.result) for r in records] == [(True, "ok"), (False, reason)]
    # AND at a cold start the same set is a fault (500), not a 401 for every client
    cold, _ = make_cache(jwks_server, Clock())
    with pytest.raises(JwksUnavailable) as raised:
        cold.get_key(signing_key.kid)
    assert raised.value.reason == reason


def test_prefetch_failure_does_not_delay_the_first_invocation(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    jwks_server.serve(Answer(status=503))
    cache, _ = make_cache(jwks_server, Clock())
    assert cache.prefetch() is False
    jwks_server.serve_keys(signing_key.jwk())
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid


def test_a_failing_fetch_reporter_changes_nothing(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    # GIVEN a reporter (the metrics writer) that raises, e.g. because stdout is broken
    clock = Clock()
    cache, _ = make_cache(jwks_server, clock)

    def broken(record: FetchRecord) -> None:
        raise OSError("stdout is gone")

    cache.on_fetch = broken
    # THEN fetches and the stale-key fallback work as without it
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    jwks_server.serve(Answer(status=503))
    clock.now += 601
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid


def test_an_unknown_kid_refused_by_the_retry_backoff_does_not_start_the_cooldown(
    jwks_server: JwksServer, signing_key: SigningKey
) -> None:
    # GIVEN a warm cache whose scheduled refresh just failed (the retry backoff is running)
    clock = Clock()
    cache, _ = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve(Answer(status=503))
    clock.now += 601
    cache.get_key(signing_key.kid)  # stale keys serve; the failed refresh starts the backoff
    # WHEN a token of a new key arrives during the backoff THEN no request is made, and the token
    # is refused as any unknown kid (401): the cached set is still usable
    with pytest.raises(UnknownKid) as refused:
        cache.get_key("key-next")
    assert (refused.value.reason, jwks_server.requests) == ("unknown_kid_unconfirmed", 2)
    assert "jwks_backoff" in str(refused.value)
    # AND after the endpoint is back (a scheduled refresh succeeds, without the new key yet),
    jwks_server.serve_keys(signing_key.jwk())
    clock.now += 5
    cache.get_key(signing_key.kid)
    assert jwks_server.requests == 3
    # a key published next is fetched at its first token, not a cooldown after the refused attempt
    jwks_server.serve_keys(signing_key.jwk(), rsa_key("key-next").jwk())
    clock.now += 1
    assert cache.get_key("key-next")[0].kid == "key-next"
    assert jwks_server.requests == 4


def test_an_unknown_kid_during_an_outage_is_refused_while_cached_keys_serve(
    jwks_server: JwksServer, signing_key: SigningKey
) -> None:
    # GIVEN a warm cache with usable keys, and an endpoint that now fails
    clock = Clock()
    cache, records = make_cache(jwks_server, clock)
    cache.get_key(signing_key.kid)
    jwks_server.serve(Answer(status=503))
    # WHEN a token with a kid the cache lacks arrives THEN one refetch is tried and fails, and the
    # token is refused with 401 (a client-chosen kid must not turn the outage into 500s)
    with pytest.raises(UnknownKid) as refused:
        cache.get_key("forged")
    assert (refused.value.reason, jwks_server.requests) == ("unknown_kid_unconfirmed", 2)
    assert [r.result for r in records] == ["ok", "jwks_http_error"]
    # AND within the cooldown another forged kid costs no request, still 401
    clock.now += 1
    with pytest.raises(UnknownKid):
        cache.get_key("forged-again")
    assert jwks_server.requests == 2
    # AND the published key keeps verifying throughout
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    # BUT once the cached keys are too old to serve, the same call is a fault (500)
    clock.now += 600 + 3600 + 1
    with pytest.raises(JwksUnavailable):
        cache.get_key("forged")
