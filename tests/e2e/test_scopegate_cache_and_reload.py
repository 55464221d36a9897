"""scopegate behind the local gateway's result cache, and the rules reload of `make run`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.gateway.result_cache import ManualClock
from local.stack import Stack, StackConfig
from tests.support.issuer_client import token_for
from tests.support.local_stack import REPO_ROOT, bearer, gateway_template, http

RULES = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: GET /reports
    scopes: [write:hello]
"""


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture
def cached_stack(tmp_path: Path, rules_file: Path) -> Iterator[Stack]:
    template = tmp_path / "template.yaml"
    template.write_text(
        gateway_template(
            "authorizer.app.lambda_handler",
            300,
            {"GET /hello": "hello", "GET /reports": "echo"},
            authorizer_code_uri=REPO_ROOT,
            authorizer_env={"RULES_FILE": str(rules_file)},
        ),
        encoding="utf-8",
    )
    config = StackConfig(
        template=template, rules=rules_file, gateway_port=0, issuer_port=0, dynamodb_port=0,
        watch=False,  # the tests call check() themselves instead of waiting for the poll
    )
    running = Stack(config, clock=ManualClock()).start()
    try:
        yield running
    finally:
        running.stop()


def test_one_token_on_two_routes_is_decided_right_with_one_invocation(cached_stack: Stack) -> None:
    token = token_for(cached_stack.issuer_url, "demo-reader")
    hello = http("GET", cached_stack.gateway_url + "/hello", bearer(token))
    reports = http("GET", cached_stack.gateway_url + "/reports", bearer(token))
    hello_again = http("GET", cached_stack.gateway_url + "/hello", bearer(token))
    assert (hello.status, reports.status, hello_again.status) == (200, 403, 200)
    assert cached_stack.gateway.functions.invocations["AuthorizerFunction"] == 1


def test_rules_change_restarts_the_authorizer_with_the_new_rules(cached_stack: Stack, rules_file: Path) -> None:
    # GIVEN the writer is denied /hello, and that decision is cached
    token = token_for(cached_stack.issuer_url, "demo-writer")
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(token)).status == 403
    # WHEN the rules let write:hello read /hello too
    rules_file.write_text(RULES.replace("scopes: [read:hello]", "any_scopes: [read:hello, write:hello]"))
    assert cached_stack.watcher is not None and cached_stack.watcher.check() == [rules_file]
    # THEN a fresh authorizer decides with the new rules
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(token)).status == 200
    assert cached_stack.gateway.functions.invocations["AuthorizerFunction"] == 2


def test_a_broken_rules_file_is_reported_at_once_and_the_warm_authorizer_keeps_its_rules(
    cached_stack: Stack, rules_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a warm authorizer that allows demo-reader on /hello
    token = token_for(cached_stack.issuer_url, "demo-reader")
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(token)).status == 200
    # WHEN the rules get a typo (scope: for scopes:) and the change is detected, before any request
    broken = RULES.replace("scopes: [read:hello]", "scope: [read:hello]")
    rules_file.write_text(broken)
    with caplog.at_level(logging.ERROR, logger="local"):
        assert cached_stack.watcher is not None and cached_stack.watcher.check() == [rules_file]
    # THEN file:line and the fix are printed at that moment
    assert [r.getMessage() for r in caplog.records if r.name == "local"] == [
        f"{rules_file}:{_line_of(broken, 'scope:')}: rule 1 (GET /hello): unknown key 'scope'; did you mean "
        "'scopes'? -- not applied: the authorizer is not restarted, a warm one keeps the previous rules "
        "(a cold start would refuse every request with 500 until the file loads)"
    ]
    # AND the warm authorizer decides a new token with the previous rules
    other = token_for(cached_stack.issuer_url, "orders-reader")  # read:hello too
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(other)).status == 200
    assert cached_stack.gateway.functions.invocations["AuthorizerFunction"] == 2


def test_key_rotation_keeps_old_tokens_and_signs_new_ones_with_the_new_kid(cached_stack: Stack) -> None:
    keys = cached_stack.keys
    old_token = token_for(cached_stack.issuer_url, "demo-reader")
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(old_token)).status == 200
    old_kid = keys.signing_kid
    new_kid = keys.publish_next()
    assert keys.activate_next() == old_kid
    new_token = token_for(cached_stack.issuer_url, "demo-reader")
    # the authorizer meets an unknown kid, refetches the JWKS, and verifies the new token
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(new_token)).status == 200
    cached_stack.gateway.cache.clear()  # make the gateway ask the authorizer again for the old token
    assert http("GET", cached_stack.gateway_url + "/hello", bearer(old_token)).status == 200
    assert (keys.signing_kid, new_kid != old_kid) == (new_kid, True)
