"""A JWKS fetch ends within its one deadline, whatever phase a slow or hostile endpoint stalls in.

Each server below is a raw socket on 127.0.0.1 that trickles one part of an HTTP response (or of
the exchange before it) for far longer than the deadline. The fetch must end within the deadline
plus a generous margin: a behavioural bound, not a benchmark (bench/ times things). The two
reproductions of the defect report run through the real handler: a cold container (500 within
the bound, not after the server's 12 s) and a warm one with a forged kid (401 within the bound).
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from authorizer import app
from authorizer.errors import JwksUnavailable
from authorizer.http_fetch import make_http_fetcher
from tests.fault.jwks_scenarios import ARN, configured_handler
from tests.support.keys import SigningKey, rsa_key
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import auth0_claims, mint
from tests.support.slow_server import Script, running_slow_server, trickle
from tests.support.tls import TestTls, make_test_tls

DEADLINE = 1.0
MARGIN = 1.5  # the bound is DEADLINE + MARGIN; the servers below would hold a fetch for 30 s
STALL = 30.0
CAP = 64 * 1024

OK = b"HTTP/1.1 200 OK\r\n"
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
EMPTY_STORED_BLOCK = b"\x00\x00\x00\xff\xff"  # a non-final deflate block holding nothing


def drip_each_byte(text: bytes, pause: float, then: bytes) -> Script:
    """``text`` one byte per ``pause``, then ``then`` every ``pause`` until the stall ends."""

    def script() -> Iterator[tuple[bytes, float]]:
        for index in range(len(text)):
            yield text[index : index + 1], pause
        for _ in range(int(STALL / pause)):
            yield then, pause

    return script


PHASES: dict[str, Script] = {
    "status line, one byte at a time": drip_each_byte(b"HTTP/1.1 200 OK\r\n", 0.25, b"X"),
    "headers: one header value that never ends": trickle(OK + b"X-Slow: ", b"a", 0.25, STALL),
    "headers: a new header line every pause": trickle(OK, b"X-Slow: a\r\n", 0.25, STALL),
    "chunk-size line with an extension that never ends": trickle(
        OK + b"Transfer-Encoding: chunked\r\n\r\n5;ext=", b"a", 0.25, STALL),
    "chunked body: one-byte chunks": trickle(OK + b"Transfer-Encoding: chunked\r\n\r\n", b"1\r\n \r\n", 0.25, STALL),
    "body with Content-Length": trickle(OK + b"Content-Length: 60000\r\n\r\n", b" ", 0.25, STALL),
    "body without Content-Length (ends at close)": trickle(OK + b"Connection: close\r\n\r\n", b" ", 0.25, STALL),
    "gzip stream of empty deflate blocks": trickle(
        OK + b"Content-Encoding: gzip\r\nConnection: close\r\n\r\n" + GZIP_HEADER, EMPTY_STORED_BLOCK, 0.25, STALL),
    "no answer at all after the request": trickle(b"", b"", 0.25, STALL),
}


def fetch_outcome(url: str, **options: object) -> tuple[str, float]:
    fetch = make_http_fetcher(DEADLINE, CAP, **options)  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        body = fetch(url)
    except JwksUnavailable as error:
        return error.reason, time.monotonic() - started
    return f"body of {len(body)} bytes", time.monotonic() - started


@pytest.mark.parametrize("phase", PHASES)
def test_a_trickling_endpoint_is_cut_off_at_the_deadline(phase: str) -> None:
    # GIVEN an endpoint that trickles one phase of its answer for 30 s
    with running_slow_server(PHASES[phase]) as server:
        # WHEN the fetcher asks it for the key set
        reason, seconds = fetch_outcome(server.url())
    # THEN the fetch ends as a timeout within the one deadline
    assert reason == "jwks_timeout"
    assert seconds < DEADLINE + MARGIN, f"{phase}: {seconds:.1f} s"


def test_a_fast_flood_of_empty_deflate_blocks_is_refused_by_the_size_cap() -> None:
    flood = trickle(OK + b"Content-Encoding: gzip\r\nConnection: close\r\n\r\n" + GZIP_HEADER,
                    EMPTY_STORED_BLOCK * 4096, 0.0001, 3)
    with running_slow_server(flood) as server:
        reason, seconds = fetch_outcome(server.url())
    assert reason == "jwks_too_large"
    assert seconds < DEADLINE + MARGIN


def test_endless_chunk_framing_is_refused_by_the_size_cap() -> None:
    flood = trickle(OK + b"Transfer-Encoding: chunked\r\n\r\n", b"1;" + b"e" * 4000 + b"\r\n \r\n", 0.0001, 3)
    with running_slow_server(flood) as server:
        reason, _ = fetch_outcome(server.url())
    assert reason in {"jwks_too_large", "jwks_unreachable"}  # the wire cap, or h11's line limit


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b" " * (16 * 1024 * 1024))  # 16 MiB of spaces in about 16 KiB
    answer = OK + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb) + bomb
    with running_slow_server(lambda: [(answer, 0)]) as server:
        reason, _ = fetch_outcome(server.url())
    assert reason == "jwks_too_large"


@pytest.mark.parametrize("encoding, encode", [
    (b"gzip", gzip.compress),
    (b"deflate", zlib.compress),
    (b"identity", lambda body: body),
])
def test_an_encoded_chunked_body_is_decoded(encoding: bytes, encode: object) -> None:
    document = json.dumps({"keys": [{"kid": "k", "pad": "x" * 5000}]}).encode()
    encoded = encode(document)  # type: ignore[operator]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(encoded[i : i + 700]), encoded[i : i + 700])
                      for i in range(0, len(encoded), 700))
    answer = OK + b"Content-Encoding: " + encoding + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    with running_slow_server(lambda: [(answer, 0)]) as server:
        assert make_http_fetcher(DEADLINE, CAP)(server.url()) == document


@pytest.mark.parametrize("answer, reason", [
    (OK + b"Content-Length: 10\r\n\r\n{}", "jwks_unreachable"),  # cut short
    (OK + b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}", "jwks_unreachable"),  # conflicting lengths
    (OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", "jwks_unreachable"),  # a chunk size that is no number
    (OK + b"Content-Encoding: br\r\nContent-Length: 2\r\n\r\n{}", "jwks_http_error"),
    (OK + b"Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}", "jwks_unreachable"),  # not gzip at all
    (b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n", "jwks_http_error"),
    (b"SSH-2.0-OpenSSH_9.6\r\n", "jwks_unreachable"),
    (OK + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", "jwks_too_large"),  # a head over 16 KiB at once
    (OK + b"X-Big: a\r\n" * 3000 + b"\r\n", "jwks_too_large"),  # in many lines
])
def test_a_malformed_or_refused_answer_is_a_fault(answer: bytes, reason: str) -> None:
    with running_slow_server(lambda: [(answer, 0)]) as server:
        assert fetch_outcome(server.url())[0] == reason


def test_a_body_arriving_with_the_head_in_one_read_is_read_whole() -> None:
    # GIVEN a 60 KB body sent in the same packets as its head (one read takes both)
    document = b'{"keys": [], "pad": "' + b"x" * 60000 + b'"}'
    answer = OK + b"Content-Length: %d\r\n\r\n" % len(document) + document
    with running_slow_server(lambda: [(answer, 0)]) as server:
        assert make_http_fetcher(DEADLINE, CAP)(server.url()) == document


def test_informational_responses_are_skipped_for_the_final_one() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\n" + OK + b"Content-Length: 2\r\n\r\n{}"
    with running_slow_server(lambda: [(answer, 0)]) as server:
        assert make_http_fetcher(DEADLINE, CAP)(server.url()) == b"{}"


# --- TLS: a CA and a certificate for 127.0.0.1 made at test time ------------------------------

@pytest.fixture(scope="module")
def test_tls(tmp_path_factory: pytest.TempPathFactory) -> TestTls:
    return make_test_tls(tmp_path_factory.mktemp("tls"))


def test_https_fetch_verifies_the_certificate_and_reads_the_body(test_tls: TestTls) -> None:
    answer = OK + b"Content-Length: 12\r\n\r\n{\"keys\": []}"
    with running_slow_server(lambda: [(answer, 0)], tls=test_tls.server) as server:
        fetch = make_http_fetcher(DEADLINE, CAP, tls_context=lambda: test_tls.client)
        assert fetch(server.url("https")) == b'{"keys": []}'
        # a CA the fetcher does not trust (the default: certifi's bundle) is refused
        assert fetch_outcome(server.url("https"))[0] == "jwks_unreachable"


def test_https_fetch_refuses_a_certificate_for_another_host(test_tls: TestTls) -> None:
    answer = OK + b"Content-Length: 2\r\n\r\n{}"
    with running_slow_server(lambda: [(answer, 0)], tls=test_tls.server) as server:
        # GIVEN a name that resolves to the server, but that its certificate (127.0.0.1, localhost) lacks
        def resolve(host: str, port: int) -> list:
            return socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_STREAM)

        url = server.url("https", host="jwks.test.invalid")
        # WHEN fetched with the CA trusted THEN the host name check refuses it
        assert fetch_outcome(url, resolve=resolve, tls_context=lambda: test_tls.client)[0] == "jwks_unreachable"
        assert fetch_outcome(server.url("https", host="localhost"), tls_context=lambda: test_tls.client) == (
            "body of 2 bytes", pytest.approx(0, abs=DEADLINE))


def test_a_tls_handshake_that_never_answers_is_cut_off(test_tls: TestTls) -> None:
    with running_slow_server(lambda: [], tls=test_tls.server, handshake=False, read_request=False) as server:
        reason, seconds = fetch_outcome(server.url("https"), tls_context=lambda: test_tls.client)
    assert reason == "jwks_timeout"
    assert seconds < DEADLINE + MARGIN


def test_a_resolver_that_hangs_is_cut_off() -> None:
    def hanging_resolver(host: str, port: int) -> list:
        time.sleep(STALL / 10)
        raise OSError("no answer")

    reason, seconds = fetch_outcome("https://jwks.example.invalid/.well-known/jwks.json", resolve=hanging_resolver)
    assert reason == "jwks_timeout"
    assert seconds < DEADLINE + MARGIN


# --- The defect report's reproductions, through the handler -----------------------------------

HANDLER_DEADLINE = 3  # JWKS_TIMEOUT_SECONDS in the report


def decide(token: str) -> tuple[str, float]:
    event = {"type": "TOKEN", "methodArn": ARN, "authorizationToken": f"Bearer {token}"}
    started = time.monotonic()
    try:
        app.lambda_handler(event, FakeLambdaContext())
        outcome = "policy"
    except app.AuthorizerFailure:
        outcome = "500"
    except Exception as error:
        if type(error) is not Exception or str(error) != "Unauthorized":
            raise
        outcome = "401"
    return outcome, time.monotonic() - started


@pytest.fixture
def key() -> SigningKey:
    return rsa_key("key-1")


def test_cold_container_with_trickled_headers_answers_500_within_the_deadline(key: SigningKey, tmp_path: Path) -> None:
    # GIVEN a JWKS endpoint that trickles a header value one byte per 0.5 s for 12 s
    with running_slow_server(trickle(OK + b"X-Slow: ", b"a", 0.5, 12)) as server:
        with configured_handler(server.url(), tmp_path, JWKS_TIMEOUT_SECONDS=str(HANDLER_DEADLINE)):
            # WHEN a valid token arrives at a cold container
            outcome, seconds = decide(mint(key, auth0_claims(scope="read:hello")))
    # THEN it is a 500 (no keys), within the deadline: not after the server's 12 s
    assert outcome == "500"
    assert seconds < HANDLER_DEADLINE + MARGIN


def test_warm_container_forged_kid_with_trickled_headers_answers_401_within_the_deadline(
    key: SigningKey, tmp_path: Path
) -> None:
    good = json.dumps({"keys": [key.jwk()]}).encode()
    served = {"trickle": False}

    def script() -> Iterator[tuple[bytes, float]]:
        if not served["trickle"]:
            yield OK + b"Content-Length: %d\r\n\r\n" % len(good) + good, 0
            return
        yield from trickle(OK + b"X-Slow: ", b"a", 0.5, 20)()

    with running_slow_server(script) as server:
        with configured_handler(server.url(), tmp_path, JWKS_TIMEOUT_SECONDS=str(HANDLER_DEADLINE)):
            # GIVEN a warm container whose first fetch was good
            assert decide(mint(key, auth0_claims(scope="read:hello")))[0] == "policy"
            # WHEN the endpoint starts trickling its headers for 20 s and a forged kid arrives
            served["trickle"] = True
            forged = mint(rsa_key("attacker"), auth0_claims(scope="read:hello"), headers={"kid": "forged"})
            outcome, seconds = decide(forged)
            # THEN it is refused (401) within the deadline, and the cached keys still serve
            assert outcome == "401"
            assert seconds < HANDLER_DEADLINE + MARGIN
            assert decide(mint(key, auth0_claims(scope="read:hello", jti="2")))[0] == "policy"
        assert server.connections == 2
