"""`make run` reloads template.yaml and clients.yaml on change; a file that does not load changes nothing.

Each test edits temp copies of the files, calls the watcher's check() (the poll's one step), and
observes the result over HTTP and in the printed (logged) message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.gateway.result_cache import ManualClock
from local.stack import Stack, StackConfig
from tests.support.issuer_client import request_token, token_for
from tests.support.local_stack import REPO_ROOT, bearer, gateway_template, http, running_gateway

RULES = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: GET /reports
    scopes: [read:hello]
"""
CI_CLIENT = """\
  - client_id: ci-reader
    client_secret: ci-reader-secret
    grants:
      https://api.scopegate.local: [read:hello]
"""
TABLE = """\
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


def _template(rules: Path, routes: dict[str, str]) -> str:
    return gateway_template(
        "authorizer.app.lambda_handler", 300, routes,
        authorizer_code_uri=REPO_ROOT, authorizer_env={"RULES_FILE": str(rules)},
    )


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(_template(rules, {"GET /hello": "hello"}), encoding="utf-8")
    clients = tmp_path / "clients.yaml"
    clients.write_text((REPO_ROOT / "local" / "clients.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return {"template": template, "clients": clients, "rules": rules}


@pytest.fixture
def stack(files: dict[str, Path]) -> Iterator[Stack]:
    config = StackConfig(
        template=files["template"], clients=files["clients"], rules=files["rules"],
        gateway_port=0, issuer_port=0, dynamodb_port=0, watch=False,  # the tests call check() themselves
    )
    running = Stack(config, clock=ManualClock()).start()
    try:
        yield running
    finally:
        running.stop()


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "local"]


def test_a_new_route_in_template_yaml_is_served_after_the_change(
    stack: Stack, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN the gateway does not know GET /reports
    token = token_for(stack.issuer_url, "demo-reader")
    before = http("GET", stack.gateway_url + "/reports", bearer(token))
    assert (before.status, before.json()) == (403, {"message": "Missing Authentication Token"})
    # WHEN the template gains the route
    files["template"].write_text(_template(files["rules"], {"GET /hello": "hello", "GET /reports": "echo"}))
    with caplog.at_level(logging.WARNING, logger="local"):
        assert stack.watcher is not None and stack.watcher.check() == [files["template"]]
    # THEN it is served, through the authorizer, by the function the template names
    answer = http("GET", stack.gateway_url + "/reports", bearer(token))
    assert (answer.status, answer.json()["echo_name"], answer.json()["resource"]) == (200, "echo", "/reports")
    assert http("GET", stack.gateway_url + "/hello", bearer(token)).json() == {"message": "hello world"}
    assert _messages(caplog) == [
        f"{files['template']} reloaded: 2 routes at {stack.gateway_url}/, functions restarted, result cache cleared"
    ]


def test_a_broken_template_is_reported_with_its_line_and_the_previous_one_keeps_serving(
    stack: Stack, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    token = token_for(stack.issuer_url, "demo-reader")
    assert http("GET", stack.gateway_url + "/hello", bearer(token)).status == 200
    # WHEN the template stops parsing (StageName's line indented one space less)
    broken = files["template"].read_text().replace("      StageName: Dev", "     StageName: Dev")
    files["template"].write_text(broken + "\n")
    with caplog.at_level(logging.ERROR, logger="local"):
        stack.watcher.check()  # type: ignore[union-attr]
    # THEN the message names file and line at once (YAML notices on the line after the indent)
    [message] = _messages(caplog)
    assert message.startswith(f"{files['template']}:{_line_of(broken, 'StageName') + 1}: template does not parse")
    assert message.endswith("-- not applied: the gateway keeps serving the previous template")
    # AND the previous template still serves, with the same warm authorizer
    assert http("GET", stack.gateway_url + "/hello", bearer(token_for(stack.issuer_url, "orders-reader"))).status == 200
    assert stack.gateway.functions.invocations["AuthorizerFunction"] == 2


def test_new_dynamodb_tables_in_the_template_ask_for_a_restart(
    stack: Stack, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    files["template"].write_text(
        _template(files["rules"], {"GET /hello": "hello", "GET /reports": "echo"}) + TABLE
    )
    with caplog.at_level(logging.ERROR, logger="local"):
        stack.watcher.check()  # type: ignore[union-attr]
    assert _messages(caplog) == [
        f"{files['template']}: the DynamoDB tables changed; stop the stack and start it again to create them "
        "(moto's tables are made at start) -- not applied: the gateway keeps serving the previous template"
    ]
    token = token_for(stack.issuer_url, "demo-reader")
    assert http("GET", stack.gateway_url + "/reports", bearer(token)).status == 403  # the route did not arrive


def test_a_new_client_in_clients_yaml_gets_tokens_and_old_tokens_stay_valid(
    stack: Stack, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a token issued before the change, and a client the issuer does not know yet
    old_token = token_for(stack.issuer_url, "demo-reader")
    assert request_token(stack.issuer_url, "ci-reader", "ci-reader-secret").status == 401
    # WHEN clients.yaml gains the client
    files["clients"].write_text(files["clients"].read_text() + CI_CLIENT)
    with caplog.at_level(logging.WARNING, logger="local"):
        assert stack.watcher.check() == [files["clients"]]  # type: ignore[union-attr]
    # THEN it gets a token the authorizer accepts, and the earlier token still verifies
    new_token = token_for(stack.issuer_url, "ci-reader", client_secret="ci-reader-secret")
    assert http("GET", stack.gateway_url + "/hello", bearer(new_token)).status == 200
    stack.gateway.cache.clear()
    assert http("GET", stack.gateway_url + "/hello", bearer(old_token)).status == 200
    assert _messages(caplog) == [
        f"{files['clients']} reloaded: 8 clients, 1 APIs (same signing keys: issued tokens stay valid)"
    ]


def test_a_broken_clients_yaml_is_reported_with_its_line_and_the_previous_clients_stay(
    stack: Stack, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # WHEN the new client carries a typo
    broken = files["clients"].read_text() + CI_CLIENT.replace("client_secret:", "client_secrett:")
    files["clients"].write_text(broken)
    with caplog.at_level(logging.ERROR, logger="local"):
        stack.watcher.check()  # type: ignore[union-attr]
    # THEN file:line and the fix are printed, and nothing changed
    assert _messages(caplog) == [
        f"{files['clients']}:{_line_of(broken, 'client_secrett')}: clients[7]: unknown key 'client_secrett' "
        "(allowed keys: add_permissions, client_id, client_secret, grants, name, token_dialect) "
        "-- not applied: the issuer keeps the previous clients"
    ]
    assert request_token(stack.issuer_url, "demo-reader").status == 200
    assert request_token(stack.issuer_url, "ci-reader", "ci-reader-secret").status == 401


def test_a_gateway_replaced_by_a_reload_answers_its_late_requests_without_keeping_a_worker(tmp_path: Path) -> None:
    # GIVEN a gateway whose function pool was closed (a reload replaced it while requests were under way)
    template = tmp_path / "template.yaml"
    template.write_text(gateway_template("app.own_arn_only", 0, {"GET /echo": "echo-public"}))
    with running_gateway(template) as gw:
        gw.server.gateway.functions.close()
        # WHEN requests still reach it
        counts = [http("GET", gw.url + "/echo").json()["invocations"] for _ in range(2)]
    # THEN each is answered by a fresh worker that is stopped after it: no warm state carries over
    assert counts == [1, 1]
