"""The JWKS fetch begun at Lambda's init (authorizer.started_fetch, authorizer.lambda_init) and the
JWKS cache taking its answer (JwksCache.initial), against real JWKS servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import pytest

from authorizer.config import JwksSettings, read_settings
from authorizer.errors import ConfigError, JwksUnavailable, Reason
from authorizer.fetch_url import jwks_uri_in
from authorizer.jwks import FetchRecord, JwksCache, make_http_fetcher
from authorizer.lambda_init import INIT_SWITCH_INTERVAL_SECONDS, start_jwks_fetches
from authorizer.started_fetch import StartedFetch
from tests.support.jwks_server import Answer, JwksServer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.minting import AUDIENCE, ISSUER


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def settings_for(server: JwksServer, **overrides: object) -> JwksSettings:
    values: dict[str, object] = dict(
        uri=server.url, default_algorithm="RS256", allowed_algorithms=("RS256",), cache_ttl_seconds=600,
        max_stale_seconds=3600, unknown_kid_cooldown_seconds=30, retry_after_failure_seconds=5,
        timeout_seconds=2.0, max_bytes=64 * 1024,
    )
    values.update(overrides)
    return JwksSettings(**values)  # type: ignore[arg-type]


def started(server: JwksServer, clock: Clock | None = None) -> StartedFetch:
    fetch = StartedFetch(server.url, lambda after: make_http_fetcher(2.0, 1024 * 1024, after_sending=after), clock or Clock())
    fetch.answer(5.0)  # let it finish, whatever the test does next
    return fetch


def cache_for(settings: JwksSettings, clock: Clock, initial: StartedFetch | None) -> tuple[JwksCache, list[FetchRecord]]:
    records: list[FetchRecord] = []
    cache = JwksCache(settings, make_http_fetcher(settings.timeout_seconds, settings.max_bytes), clock,
                      records.append, initial=initial)
    return cache, records


def start_jwks_fetch(env: dict[str, str], **waits: float) -> StartedFetch | None:
    """The one fetch init starts for a single-issuer configuration, or None."""
    fetches = start_jwks_fetches(env, **waits)
    assert len(fetches) <= 1
    return next(iter(fetches.values()), None)


def lambda_env(**values: str) -> dict[str, str]:
    return {"AWS_LAMBDA_FUNCTION_NAME": "scopegate-test", "TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, **values}


# --- StartedFetch ---------------------------------------------------------------------------------

def test_a_started_fetch_answers_the_servers_bytes_and_remembers_when_it_began(jwks_server: JwksServer) -> None:
    clock = Clock()
    fetch = StartedFetch(jwks_server.url, lambda after: make_http_fetcher(2.0, 1024 * 1024, after_sending=after), clock)
    clock.now = 2000.0
    assert fetch.answer(5.0) == jwks_server.answer.body
    assert (fetch.started_at, fetch.done, fetch.prepared.is_set(), jwks_server.requests) == (1000.0, True, True, 1)
    assert fetch.duration_seconds > 0


def test_the_request_leaves_at_once_and_its_answer_is_read_only_when_wanted(jwks_server: JwksServer) -> None:
    # GIVEN a fetch started beside the main thread's work
    fetch = StartedFetch(jwks_server.url, lambda after: make_http_fetcher(2.0, 1024 * 1024, after_sending=after))
    # WHEN the server has had the request THEN the thread does not read the answer yet (it would
    # compete with init's imports for the GIL): it waits, the answer in the kernel's buffer
    for _ in range(200):
        if jwks_server.requests:
            break
        time.sleep(0.01)
    time.sleep(0.2)
    assert (jwks_server.requests, fetch.sent.is_set(), fetch.done) == (1, True, False)
    # AND asking for the answer reads it
    assert fetch.answer(5.0) == jwks_server.answer.body


def test_a_fetch_slower_than_the_wait_is_a_timeout_not_keys(jwks_server: JwksServer) -> None:
    # GIVEN a server that answers after 1 s WHEN the answer is awaited for 50 ms THEN it is a timeout
    jwks_server.serve(Answer(body=jwks_server.answer.body, delay_seconds=1.0))
    fetch = StartedFetch(jwks_server.url, lambda after: make_http_fetcher(2.0, 1024 * 1024, after_sending=after))
    with pytest.raises(JwksUnavailable) as raised:
        fetch.answer(0.05)
    assert raised.value.reason is Reason.JWKS_TIMEOUT
    assert fetch.answer(5.0) == jwks_server.answer.body  # the request itself carried on


def test_a_failing_preparation_or_endpoint_is_a_failed_fetch(jwks_server: JwksServer) -> None:
    def broken(after: object) -> None:
        raise RuntimeError("no fetcher")

    with pytest.raises(JwksUnavailable) as raised:
        StartedFetch(jwks_server.url, broken).answer(5.0)  # type: ignore[arg-type]
    assert (raised.value.reason, str(raised.value)) == (Reason.JWKS_UNREACHABLE, "JWKS fetch failed (RuntimeError)")
    jwks_server.serve(Answer(status=503))
    with pytest.raises(JwksUnavailable) as raised:
        StartedFetch(jwks_server.url, lambda after: make_http_fetcher(2.0, 1024, after_sending=after)).answer(5.0)
    assert raised.value.reason is Reason.JWKS_HTTP_ERROR


def test_the_fetch_runs_on_a_daemon_thread_a_process_does_not_wait_for(jwks_server: JwksServer) -> None:
    seen: list[threading.Thread] = []

    def prepare(after):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread())
        return make_http_fetcher(2.0, 1024 * 1024, after_sending=after)

    StartedFetch(jwks_server.url, prepare).answer(5.0)
    assert [(thread.daemon, thread.name, thread is threading.main_thread()) for thread in seen] == [
        (True, "jwks-init-fetch", False)
    ]


# --- lambda_init: what init starts ------------------------------------------------------------------

def test_outside_lambda_init_fetches_nothing(jwks_server: JwksServer) -> None:
    env = lambda_env(JWKS_URI=jwks_server.url)
    del env["AWS_LAMBDA_FUNCTION_NAME"]
    assert start_jwks_fetch(env) is None
    assert jwks_server.requests == 0


def test_in_lambda_init_fetches_the_settings_jwks_uri_and_waits_for_its_local_part(jwks_server: JwksServer) -> None:
    fetch = start_jwks_fetch(lambda_env(JWKS_URI=jwks_server.url), wait_seconds=5.0, send_wait_seconds=5.0)
    assert fetch is not None and fetch.prepared.is_set() and fetch.sent.is_set()
    assert (fetch.uri, fetch.answer(5.0), jwks_server.paths) == (jwks_server.url, jwks_server.answer.body,
                                                                 ["/.well-known/jwks.json"])


def test_the_switch_interval_is_short_while_the_init_fetch_runs_then_restored(jwks_server: JwksServer) -> None:
    # GIVEN Python's own switch interval WHEN init starts the fetch THEN the importing main thread
    # hands the GIL over within INIT_SWITCH_INTERVAL_SECONDS while the fetch runs, and once its
    # answer is in the process is back to the interval it had
    default = sys.getswitchinterval()
    jwks_server.serve(Answer(body=jwks_server.answer.body, delay_seconds=0.3))
    fetch = start_jwks_fetch(lambda_env(JWKS_URI=jwks_server.url), wait_seconds=5.0)
    assert fetch is not None
    during = sys.getswitchinterval()
    fetch.answer(5.0)
    assert (during, sys.getswitchinterval()) == (min(default, INIT_SWITCH_INTERVAL_SECONDS), default)


def test_overlapping_init_fetches_put_the_switch_interval_back_once_the_last_ends(jwks_server: JwksServer) -> None:
    default = sys.getswitchinterval()
    with running_jwks_server() as slower:
        slower.serve(Answer(body=jwks_server.answer.body, delay_seconds=1.0))
        first = start_jwks_fetch(lambda_env(JWKS_URI=jwks_server.url), wait_seconds=5.0)
        second = start_jwks_fetch(lambda_env(JWKS_URI=slower.url), wait_seconds=5.0)
        assert first is not None and second is not None
        first.answer(5.0)
        still_quick = (sys.getswitchinterval(), second.done)
        second.answer(5.0)
    assert (still_quick, sys.getswitchinterval()) == ((min(default, INIT_SWITCH_INTERVAL_SECONDS), False), default)


def test_a_failed_init_fetch_restores_the_switch_interval_too() -> None:
    default = sys.getswitchinterval()
    fetch = start_jwks_fetch(lambda_env(JWKS_URI="http://127.0.0.1:9/.well-known/jwks.json"), wait_seconds=5.0)
    assert fetch is not None
    with pytest.raises(JwksUnavailable):
        fetch.answer(5.0)
    assert sys.getswitchinterval() == default


def test_init_waits_for_the_request_to_leave_but_not_for_a_handshake_that_does_not_end() -> None:
    # GIVEN an https endpoint that accepts connections and never answers the TLS handshake
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"https://127.0.0.1:{silent.getsockname()[1]}/.well-known/jwks.json"
        # WHEN init starts the fetch THEN it returns once the local part is done, while the
        # handshake still waits on the endpoint: init never waits for the network
        fetch = start_jwks_fetch(lambda_env(JWKS_URI=url), wait_seconds=5.0, send_wait_seconds=0.05)
        assert fetch is not None and fetch.prepared.is_set()
        assert (fetch.sent.is_set(), fetch.done) == (False, False)
    # AND once the endpoint is gone the fetch ends as a failure, never keys
    with pytest.raises(JwksUnavailable):
        fetch.answer(15.0)
    assert fetch.sent.is_set()


def test_without_jwks_uri_init_fetches_the_issuers_default(signing_key: SigningKey) -> None:
    with running_jwks_server() as issuer:
        issuer.serve_keys(signing_key.jwk())
        env = lambda_env(TOKEN_ISSUER=issuer.base_url + "/tenant/")
        fetch = start_jwks_fetch(env, wait_seconds=5.0)
        assert fetch is not None and fetch.uri == read_settings(env).jwks.uri
        fetch.answer(5.0)
        assert issuer.paths == ["/tenant/.well-known/jwks.json"]


@pytest.mark.parametrize(
    "values",
    [
        {"JWKS_URI": "http://keys.example.com/jwks.json"},  # plain http off loopback
        {"JWKS_URI": "ftp://127.0.0.1/jwks.json"},
        {"TOKEN_ISSUER": ""},  # no issuer, no JWKS_URI
        {"TOKEN_ISSUER": "https://[tenant.auth0.com/"},
        {"JWKS_URI": "https://keys.example.com/a b/jwks.json"},  # a space would split the request line
        {"JWKS_URI": "https://keys.example.com/jwks.json\x7f"},
        {"JWKS_URI": "https://keys.example.com/cl\u00e9s.json"},  # to be percent-encoded
        {"JWKS_URI": "https://keys.example.com:99999/jwks.json"},  # no such port
    ],
)
def test_a_url_the_settings_refuse_is_never_fetched_at_init(values: dict[str, str]) -> None:
    env = lambda_env(**values)
    assert start_jwks_fetch(env) is None
    with pytest.raises(ConfigError):
        read_settings(env)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"JWKS_URI": " https://keys.example.com/jwks.json "},
        {"TOKEN_ISSUER": "https://login.example.com"},
        {"TOKEN_ISSUER": "http://127.0.0.1:8080/issuer/", "JWKS_URI": ""},
        {"JWKS_URI": "http://localhost:9/keys"},
    ],
)
def test_the_url_init_fetches_is_the_one_the_settings_name(values: dict[str, str]) -> None:
    # (valid settings: where the URL itself is refused, see the test above)
    env = lambda_env(**values)
    assert jwks_uri_in(env) == read_settings(env).jwks.uri


# --- JwksCache.initial: the cache takes the answer ---------------------------------------------------

def test_the_cache_takes_the_started_fetch_as_its_initial_fetch(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    clock = Clock()
    cache, records = cache_for(settings_for(jwks_server), clock, started(jwks_server, clock))
    assert cache.prefetch() is True
    key, cached = cache.get_key(signing_key.kid)
    assert (key.kid, cached, jwks_server.requests, cache.fetch_count) == (signing_key.kid, True, 1, 1)
    assert [(r.ok, r.trigger) for r in records] == [(True, "initial")]
    assert cache.initial is None  # taken once


def test_the_keys_age_counts_from_when_the_started_fetch_began(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    # GIVEN a fetch begun at t=1000 whose answer the cache takes only at t=1590 (TTL 600)
    clock = Clock()
    fetch = started(jwks_server, clock)
    clock.now = 1590.0
    cache, records = cache_for(settings_for(jwks_server), clock, fetch)
    cache.get_key(signing_key.kid)
    # WHEN the key is asked for at t=1600: 600 s after the request, 10 s after the answer was taken
    clock.now = 1600.0
    cache.get_key(signing_key.kid)
    # THEN the set is due for its scheduled refresh: no key set serves past the TTL of its request
    assert [r.trigger for r in records] == ["initial", "scheduled"]
    assert jwks_server.requests == 2


def test_keys_past_ttl_and_max_stale_of_their_request_never_serve(jwks_server: JwksServer,
                                                                  signing_key: SigningKey) -> None:
    # GIVEN a fetch begun at t=1000, the endpoint down when the cache asks at t=1000+600+3600+1
    clock = Clock()
    fetch = started(jwks_server, clock)
    jwks_server.serve(Answer(status=503))
    clock.now = 1000.0 + 600 + 3600 + 1
    cache, _ = cache_for(settings_for(jwks_server), clock, fetch)
    # THEN the early keys (too old by their request's time) are no fallback: no usable key set
    with pytest.raises(JwksUnavailable) as raised:
        cache.get_key(signing_key.kid)
    assert (raised.value.reason, str(raised.value)) == (
        Reason.JWKS_UNAVAILABLE, "no usable JWKS (endpoint failing, cached keys too old)")


@pytest.mark.parametrize(("endpoint_up", "triggers"), [(True, ["initial", "scheduled"]), (False, ["initial", "scheduled"])])
def test_early_keys_older_than_the_ttl_are_refreshed_before_they_serve(
    jwks_server: JwksServer, signing_key: SigningKey, endpoint_up: bool, triggers: list[str]
) -> None:
    # GIVEN a fetch begun at t=1000 whose answer is first taken at t=1700 (TTL 600, max stale 3600)
    clock = Clock()
    fetch = started(jwks_server, clock)
    if not endpoint_up:
        jwks_server.serve(Answer(status=503))
    clock.now = 1700.0
    cache, records = cache_for(settings_for(jwks_server), clock, fetch)
    # WHEN a key is asked for THEN a refresh is tried first; the old keys serve only if it fails
    # (the stale-if-error window, counted from the request's time)
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert [(r.trigger, r.ok) for r in records] == list(zip(triggers, [True, endpoint_up]))


def test_a_started_fetch_of_another_url_is_not_used(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    with running_jwks_server() as elsewhere:
        elsewhere.serve_keys(rsa_key("key-elsewhere").jwk())
        cache, _ = cache_for(settings_for(jwks_server), Clock(), started(elsewhere))
        assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
        assert (elsewhere.requests, jwks_server.requests) == (1, 1)


def test_an_early_answer_over_jwks_max_bytes_is_refused_then_fetched_again(jwks_server: JwksServer,
                                                                          signing_key: SigningKey) -> None:
    # GIVEN the early fetch (bounded only by the largest size the settings accept) got a big set
    padding = [rsa_key(f"key-pad-{n}").jwk() for n in range(3)]
    jwks_server.serve_keys(signing_key.jwk(), *padding)
    fetch = started(jwks_server)
    size = len(jwks_server.answer.body)
    settings = settings_for(jwks_server, max_bytes=size - 1)
    cache, records = cache_for(settings, Clock(), fetch)
    # WHEN the cache takes it THEN it is refused as too large, as the cache's own fetch would be
    assert cache.prefetch() is False
    assert [(r.ok, r.reason) for r in records] == [(False, Reason.JWKS_TOO_LARGE)]
    # AND the first invocation fetches again (the publish is smaller now) and succeeds
    jwks_server.serve_keys(signing_key.jwk())
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert [(r.ok, r.trigger) for r in records][1:] == [(True, "initial")]


def test_a_failed_early_fetch_is_retried_by_the_first_invocation(jwks_server: JwksServer, signing_key: SigningKey) -> None:
    body = jwks_server.answer.body
    jwks_server.serve(Answer(status=500))
    fetch = StartedFetch(jwks_server.url, lambda after: make_http_fetcher(2.0, 1024 * 1024, after_sending=after))
    with pytest.raises(JwksUnavailable):
        fetch.answer(5.0)
    cache, records = cache_for(settings_for(jwks_server), Clock(), fetch)
    assert cache.prefetch() is False  # init goes on; no backoff for the first invocation
    jwks_server.serve(Answer(body=body))
    assert cache.get_key(signing_key.kid)[0].kid == signing_key.kid
    assert [(r.ok, r.reason) for r in records] == [(False, Reason.JWKS_HTTP_ERROR), (True, None)]
    assert json.loads(body)["keys"][0]["kid"] == signing_key.kid


def test_init_imports_nothing_before_the_request_that_the_request_does_not_need() -> None:
    # the single-issuer fetch starts before the settings, the issuers' readers, hashlib or h11 load
    program = ("import os, sys; os.environ.pop('AWS_LAMBDA_FUNCTION_NAME', None); import authorizer.lambda_init; "
               "print(sorted(name for name in ('hashlib', 'h11', 'yaml', 'authorizer.config', 'authorizer.issuers', "
               "'authorizer.issuer_uris', 'authorizer.http_response') if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
