"""Lambda's init with an issuers file: every issuer's keys fetched from init's first line, read from
the build's compiled issuers file (authorizer.lambda_init, authorizer.issuer_uris), each answer
taken by the JWKS cache of its own URL (KeySets.take_initial_fetches); real JWKS servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from authorizer.compiled_issuers import compile_for_build, compile_issuers_file, compiled_path_for, dump_compiled_issuers
from authorizer.config import read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from authorizer.jwks import FetchRecord
from authorizer.lambda_init import jwks_uris_to_fetch, start_jwks_fetches
from tests.support.jwks_server import JwksServer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.minting import auth0_claims, mint

REPO = Path(__file__).resolve().parents[2]
API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
AUDIENCE = "https://api.example.com"
RULES = "version: 1\nrules:\n  - route: GET /orders/*\n    scopes: [read:orders]\n"
KEY_A, KEY_B = rsa_key("init-a"), rsa_key("init-b")


@pytest.fixture
def servers() -> Iterator[tuple[JwksServer, JwksServer]]:
    with running_jwks_server() as a, running_jwks_server() as b:
        a.serve_keys(KEY_A.jwk())
        b.serve_keys(KEY_B.jwk())
        yield a, b


def issuers_yaml(*entries: tuple[str, str | None]) -> str:
    """An issuers file: (issuer, jwks_uri or None for the default) per entry."""
    lines = ["version: 1", "issuers:"]
    for issuer, jwks_uri in entries:
        lines += [f"  - issuer: {issuer}", f"    audiences: [{AUDIENCE}]"]
        if jwks_uri is not None:
            lines.append(f"    jwks_uri: {jwks_uri}")
    return "\n".join(lines) + "\n"


def built(folder: Path, *entries: tuple[str, str | None]) -> Path:
    """issuers.yaml with its compiled form beside it, as the build leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "issuers.yaml"
    path.write_text(issuers_yaml(*entries))
    compile_issuers_file(path, compiled_path_for(path))
    return path


def lambda_env(issuers: Path | str, **values: str) -> dict[str, str]:
    return {"AWS_LAMBDA_FUNCTION_NAME": "scopegate-test", "ISSUERS_FILE": str(issuers), **values}


def engine_for(tmp_path: Path, issuers: Path, records: list[FetchRecord]) -> Engine:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    return Engine.from_settings(read_settings({"ISSUERS_FILE": str(issuers), "RULES_FILE": str(rules)}),
                                on_fetch=records.append)


def decide(engine: Engine, key: SigningKey, iss: str) -> str:
    token = mint(key, auth0_claims(iss=iss, aud=AUDIENCE, scope="read:orders"))
    response = engine.authorize({"type": "TOKEN", "methodArn": f"{API}/GET/orders/1",
                                 "authorizationToken": f"Bearer {token}"}, DecisionRecord())
    return str(response["policyDocument"]["Statement"][0]["Effect"])


def test_init_starts_one_fetch_per_issuer_from_the_compiled_form(tmp_path: Path, servers: tuple[JwksServer, ...]) -> None:
    a, b = servers
    # GIVEN an issuers file naming both servers, compiled as the build does
    issuers = built(tmp_path, (a.base_url + "/", None), (b.base_url + "/", None))
    # WHEN init starts the fetches
    fetches = start_jwks_fetches(lambda_env(issuers), wait_seconds=5.0, send_wait_seconds=5.0)
    # THEN there is one per issuer's JWKS URL, each request sent, each answering its server's keys
    assert list(fetches) == [a.url, b.url]
    assert all(fetch.prepared.is_set() and fetch.sent.is_set() for fetch in fetches.values())
    assert [fetch.answer(5.0) for fetch in fetches.values()] == [a.answer.body, b.answer.body]
    assert (a.requests, b.requests) == (1, 1)


def test_each_cache_takes_the_fetch_of_its_own_url_and_init_and_first_decisions_send_one_request_per_issuer(
    tmp_path: Path, servers: tuple[JwksServer, ...]
) -> None:
    a, b = servers
    issuers = built(tmp_path, (a.base_url + "/", None), (b.base_url + "/", None))
    fetches = start_jwks_fetches(lambda_env(issuers), wait_seconds=5.0)
    # WHEN the engine is built and its caches take the fetches begun at init
    records: list[FetchRecord] = []
    engine = engine_for(tmp_path, issuers, records)
    engine.jwks.take_initial_fetches(fetches)
    # THEN each cache holds the fetch of its own URL
    assert [trusted.keys.initial for trusted in engine.jwks] == [fetches[a.url], fetches[b.url]]
    # AND init's prefetch and a first decision per issuer cost one request per issuer in all
    assert engine.jwks.prefetch() is True
    assert [decide(engine, KEY_A, a.base_url + "/"), decide(engine, KEY_B, b.base_url + "/")] == ["Allow", "Allow"]
    assert (a.requests, b.requests) == (1, 1)
    assert [(record.ok, record.trigger) for record in records] == [(True, "initial")] * 2


def test_issuers_publishing_at_one_url_are_fetched_once_and_share_its_answer(
    tmp_path: Path, servers: tuple[JwksServer, ...]
) -> None:
    a, _ = servers
    # GIVEN a tenant's canonical and custom domains, both publishing at the same JWKS URL
    issuers = built(tmp_path, (a.base_url + "/", None), ("https://login.example.com/", a.url))
    fetches = start_jwks_fetches(lambda_env(issuers), wait_seconds=5.0)
    assert list(fetches) == [a.url]
    records: list[FetchRecord] = []
    engine = engine_for(tmp_path, issuers, records)
    engine.jwks.take_initial_fetches(fetches)
    # THEN both caches take the one fetch, and the server had one request
    assert [trusted.keys.initial for trusted in engine.jwks] == [fetches[a.url]] * 2
    assert engine.jwks.prefetch() is True
    assert a.requests == 1


def test_a_fetch_for_a_url_no_cache_has_is_never_used(tmp_path: Path, servers: tuple[JwksServer, ...]) -> None:
    a, b = servers
    # GIVEN fetches begun for a and b, and an engine trusting only a
    fetches = start_jwks_fetches(lambda_env(built(tmp_path / "init", (a.base_url + "/", None),
                                                  (b.base_url + "/", None))), wait_seconds=5.0)
    engine = engine_for(tmp_path, built(tmp_path / "engine", (a.base_url + "/", None)), [])
    engine.jwks.take_initial_fetches(fetches)
    # THEN b's answer is held by no cache, and its fetch is read and dropped at once, not held
    # until its deadline
    assert [trusted.keys.initial for trusted in engine.jwks] == [fetches[a.url]]
    for _ in range(500):
        if fetches[b.url].done:
            break
        time.sleep(0.01)
    assert (fetches[b.url].done, b.requests) == (True, 1)
    fetches[a.url].answer(5.0)  # let it end before the servers stop


Setup = Callable[[Path, JwksServer], dict[str, str]]


def _without_compiled_form(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    issuers = built(tmp_path, (a.base_url + "/", None))
    compiled_path_for(issuers).unlink()
    return lambda_env(issuers)


def _stale(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    issuers = built(tmp_path, (a.base_url + "/", None))
    issuers.write_text(issuers.read_text() + "    description: changed after the build\n")
    return lambda_env(issuers)


def _not_json(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    issuers = built(tmp_path, (a.base_url + "/", None))
    compiled_path_for(issuers).write_text("{")
    return lambda_env(issuers)


def _another_format(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    issuers = built(tmp_path, (a.base_url + "/", None))
    document = json.loads(compiled_path_for(issuers).read_text())
    compiled_path_for(issuers).write_text(json.dumps({**document, "version": 2}))
    return lambda_env(issuers)


def _with_token_issuer_too(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    return lambda_env(built(tmp_path, (a.base_url + "/", None)), TOKEN_ISSUER=a.base_url + "/")


def _outside_lambda(tmp_path: Path, a: JwksServer) -> dict[str, str]:
    env = lambda_env(built(tmp_path, (a.base_url + "/", None)))
    del env["AWS_LAMBDA_FUNCTION_NAME"]
    return env


@pytest.mark.parametrize("setup", [_without_compiled_form, _stale, _not_json, _another_format,
                                   _with_token_issuer_too, _outside_lambda])
def test_without_a_usable_compiled_form_or_with_an_invalid_configuration_nothing_is_fetched_early(
    tmp_path: Path, servers: tuple[JwksServer, ...], setup: Setup
) -> None:
    a, _ = servers
    assert start_jwks_fetches(setup(tmp_path, a), wait_seconds=5.0) == {}
    assert a.requests == 0


@pytest.mark.parametrize("refused", [
    "http://keys.example.com/jwks.json",  # plain http off loopback
    "ftp://127.0.0.1/jwks.json",
    "https://keys.example.com/a b/jwks.json",  # a space would split the request line
    "https://keys.example.com/cl\u00e9s.json",
])
def test_a_url_the_rules_refuse_is_never_fetched_and_neither_is_any_other(
    tmp_path: Path, servers: tuple[JwksServer, ...], refused: str
) -> None:
    a, _ = servers
    # GIVEN a compiled file bound to its YAML (the right SHA-256) but listing a URL the rules refuse
    # (the build never writes one: a damaged or hand-made file)
    issuers = built(tmp_path, (a.base_url + "/", None))
    text = issuers.read_text()
    document = json.loads(dump_compiled_issuers(compile_for_build(text, str(issuers)), str(issuers), text))
    document["issuers"].append({**document["issuers"][0], "issuer": "https://other.example.com/", "jwks_uri": refused})
    compiled_path_for(issuers).write_text(json.dumps(document))
    # THEN init fetches nothing at all: the cold start refuses the file and says why
    assert start_jwks_fetches(lambda_env(issuers), wait_seconds=5.0) == {}
    assert a.requests == 0


def test_more_issuers_than_the_file_may_hold_are_not_fetched(tmp_path: Path, servers: tuple[JwksServer, ...]) -> None:
    a, _ = servers
    issuers = built(tmp_path, (a.base_url + "/", None))
    document = json.loads(compiled_path_for(issuers).read_text())
    document["issuers"] = [{**document["issuers"][0], "issuer": f"https://t{n}.example.com/"} for n in range(33)]
    compiled_path_for(issuers).write_text(json.dumps(document))
    assert start_jwks_fetches(lambda_env(issuers), wait_seconds=5.0) == {}
    assert a.requests == 0


def test_a_relative_issuers_file_is_read_from_the_function_root(tmp_path: Path, servers: tuple[JwksServer, ...]) -> None:
    a, b = servers
    built(tmp_path / "policies", (a.base_url + "/", None), (b.base_url + "/", None))
    env = lambda_env("policies/issuers.yaml")
    assert jwks_uris_to_fetch(env, function_root=str(tmp_path)) == (a.url, b.url)
    assert jwks_uris_to_fetch(env, function_root=str(tmp_path / "elsewhere")) == ()


def test_the_requests_leave_before_the_settings_or_yaml_are_imported(tmp_path: Path,
                                                                     servers: tuple[JwksServer, ...]) -> None:
    a, b = servers
    issuers = built(tmp_path, (a.base_url + "/", None), (b.base_url + "/", None))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    tokens = [mint(key, auth0_claims(iss=server.base_url + "/", aud=AUDIENCE, scope="read:orders"))
              for key, server in ((KEY_A, a), (KEY_B, b))]
    # GIVEN a fresh interpreter in Lambda that imports the handler as Lambda does, pausing after init's
    # first line (authorizer.lambda_init) until the test has seen both requests arrive
    program = """
import json, sys
import authorizer.lambda_init
early = sorted(m for m in ("yaml", "authorizer.config", "authorizer.issuers", "authorizer.engine") if m in sys.modules)
print("EARLY " + json.dumps(early), flush=True)
sys.stdin.readline()
from authorizer.app import lambda_handler

class Context:
    aws_request_id = "init-test"

effects = []
for token in json.loads(sys.argv[1]):
    event = {"type": "TOKEN", "methodArn": sys.argv[2], "authorizationToken": "Bearer " + token}
    effects.append(lambda_handler(event, Context())["policyDocument"]["Statement"][0]["Effect"])
print("EFFECTS " + json.dumps(effects), flush=True)
"""
    env = {"PATH": os.environ.get("PATH", ""), "AWS_LAMBDA_FUNCTION_NAME": "scopegate-test",
           "ISSUERS_FILE": str(issuers), "RULES_FILE": str(rules), "POWERTOOLS_LOG_LEVEL": "ERROR"}
    with subprocess.Popen([sys.executable, "-c", program, json.dumps(tokens), f"{API}/GET/orders/1"], cwd=REPO,
                          env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdin is not None and process.stdout is not None
        early = process.stdout.readline()
        # WHEN init's first line has run THEN both requests arrive while nothing else is imported yet
        for _ in range(500):
            if (a.requests, b.requests) == (1, 1):
                break
            time.sleep(0.01)
        seen_at_init = (a.requests, b.requests)
        process.stdin.write("go\n")
        process.stdin.flush()
        rest, _ = process.communicate(timeout=60)
    assert (early, seen_at_init) == ('EARLY []\n', (1, 1))
    # AND the cold start and a first decision per issuer send no other request
    assert [line for line in rest.splitlines() if line.startswith("EFFECTS")] == ['EFFECTS ["Allow", "Allow"]']
    assert (a.requests, b.requests) == (1, 1)


