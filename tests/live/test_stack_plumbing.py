"""The live suite's plumbing, run in CI against stand-ins on 127.0.0.1 (the suite itself never runs here).

A token endpoint that speaks Auth0's client-credentials dialect and an API that answers by path
prove that tests/live/stack.py asks for tokens, reads them and calls the API as the suite expects.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.live.stack import Answer, Stack, missing_variables
from tests.support.keys import rsa_key
from tests.support.minting import auth0_claims, mint

ENV = {
    "AWS_SAM_STACK_NAME": "scopegate", "SCOPEGATE_LIVE_READER_ID": "reader-id",
    "SCOPEGATE_LIVE_READER_SECRET": "reader-secret", "SCOPEGATE_LIVE_OUTSIDER_ID": "outsider-id",
    "SCOPEGATE_LIVE_OUTSIDER_SECRET": "outsider-secret",
}


class StandIn(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    seen: list[tuple[str, str, str | None, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        StandIn.seen.append((self.command, self.path, self.headers.get("Authorization"), body))
        if self.path == "/oauth/token":
            if body.get("client_secret") != "reader-secret" or body.get("audience") != "https://api.example.com":
                return self.answer(401, {"error": "access_denied"})
            token = mint(rsa_key("key-1"), auth0_claims(scope="read:hello", permissions=["read:orders"]))
            return self.answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 86400})
        if self.headers.get("Authorization") is None:
            return self.answer(401, {"message": "Unauthorized"})
        return self.answer(200, {"message": "hello world"})

    do_GET = do_POST = handle_any


@pytest.fixture
def stand_in() -> Iterator[Stack]:
    StandIn.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield Stack("scopegate", {"ApiUrl": base + "/Dev/", "TokenIssuer": base + "/", "Audience": "https://api.example.com"})
    finally:
        server.shutdown()
        server.server_close()


def test_missing_variables_names_each_unset_one() -> None:
    assert missing_variables({**ENV, "SCOPEGATE_LIVE_OUTSIDER_SECRET": " "}) == ["SCOPEGATE_LIVE_OUTSIDER_SECRET"]
    assert missing_variables(ENV) == []


def test_token_for_asks_auth0_for_a_client_credentials_token_and_reads_its_scopes(stand_in: Stack) -> None:
    token = stand_in.token_for("reader", ENV)
    assert StandIn.seen == [("POST", "/oauth/token", None, {
        "grant_type": "client_credentials", "client_id": "reader-id", "client_secret": "reader-secret",
        "audience": "https://api.example.com",
    })]
    assert (token.client, token.scopes, token.claims["azp"]) == ("reader", frozenset({"read:hello", "read:orders"}), "client-abc")


def test_token_for_reports_a_refusal_with_the_clients_variable(stand_in: Stack) -> None:
    with pytest.raises(AssertionError, match=r"Auth0 refused a token to outsider \(SCOPEGATE_LIVE_OUTSIDER_ID\): 401"):
        stand_in.token_for("outsider", ENV)


def test_call_sends_the_authorization_header_to_the_stage_url(stand_in: Stack) -> None:
    assert stand_in.call("GET", "/hello", "Bearer abc") == Answer(200, {"message": "hello world"})
    assert stand_in.call("POST", "/hello", None) == Answer(401, {"message": "Unauthorized"})
    assert StandIn.seen == [("GET", "/Dev/hello", "Bearer abc", None), ("POST", "/Dev/hello", None, {})]
