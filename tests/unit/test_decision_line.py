"""The decision log line: written by stock Powertools, its format pinned against upgrades.

Alarms, metric filters and Logs Insights queries read this line. It is written with Powertools'
public API only (``Logger.info``/``error`` with ``extra``; the EMF members from
``EphemeralMetrics.serialize_metric_set``), so these tests pin what an upgrade could change: the
keys and their order, the timestamp's form, the EMF directive's shape. They fail on such a change,
so the change is seen and README's "Decision log" is updated with it.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools import Logger

from authorizer import app
from tests.support.jwks_server import JwksServer
from tests.support.keys import SigningKey
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
RULES = "version: 1\nrules:\n  - route: GET /orders/*\n    any_scopes: [read:orders, admin]\n"

# The line's members, in order, for an allowed fresh token at a cold start (README "Decision log").
ALLOW_KEYS = [
    "level", "location", "message", "timestamp", "service",
    "decision_id", "outcome", "reason", "principal", "client_id", "issuer", "method", "path", "stage",
    "rule_ids", "missing_scopes", "token_fingerprint", "jwks_cached", "policy_cached", "token_cached",
    "rules_digest", "cold_start", "latency_us",
    "_aws", "Decisions", "DecisionLatency", "PolicyCacheMisses", "ColdStarts",
]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000")


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer, tmp_path: Path) -> Iterator[io.StringIO]:
    """The handler configured as in Lambda, its logger writing to a buffer instead of stdout."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    for name, value in {"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_server.url,
                        "RULES_FILE": str(rules)}.items():
        monkeypatch.setenv(name, value)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(app.logger.registered_formatter)
    target = logging.getLogger(app.logger.name)
    target.addHandler(handler)
    app.reset_state()
    try:
        yield buffer
    finally:
        target.removeHandler(handler)
        app.reset_state()


def decide(token: str, path: str = "/orders/1") -> None:
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": f"{ARN}/GET{path}"}
    try:
        app.lambda_handler(event, FakeLambdaContext())
    except Exception:  # noqa: BLE001 - the line says what happened
        pass


def test_the_decision_line_keeps_its_pinned_format(written: io.StringIO, signing_key: SigningKey) -> None:
    # GIVEN a cold container WHEN it allows a fresh token
    decide(mint(signing_key, auth0_claims(scope="read:orders")))
    line = _only_decision(written)
    members = json.loads(line, object_pairs_hook=lambda pairs: pairs)
    # THEN the members are those README documents, in that order
    assert [key for key, _ in members] == ALLOW_KEYS
    parsed = dict(members)
    assert (parsed["level"], parsed["message"], parsed["service"]) == ("INFO", "decision", "scopegate")
    assert re.fullmatch(r"_report:\d+", parsed["location"])
    assert TIMESTAMP.fullmatch(parsed["timestamp"])
    # AND the EMF directive names the line's own members as metrics and dimensions
    directive = json.loads(line)["_aws"]
    assert isinstance(directive["Timestamp"], int)
    assert directive["CloudWatchMetrics"] == [{
        "Namespace": "scopegate",
        "Dimensions": [["outcome", "reason", "service"]],
        "Metrics": [{"Name": "Decisions", "Unit": "Count"}, {"Name": "DecisionLatency", "Unit": "Microseconds"},
                    {"Name": "PolicyCacheMisses", "Unit": "Count"}, {"Name": "ColdStarts", "Unit": "Count"}],
    }]
    assert (parsed["Decisions"], parsed["PolicyCacheMisses"], parsed["ColdStarts"]) == ([1.0], [1.0], [1.0])


def test_the_decision_line_is_what_stock_powertools_writes_for_the_same_fields(
    written: io.StringIO, signing_key: SigningKey
) -> None:
    # GIVEN the decision line of a denied token
    decide(mint(signing_key, auth0_claims(scope="write:orders")))
    ours = json.loads(_only_decision(written), object_pairs_hook=lambda pairs: pairs)
    # WHEN a stock Powertools Logger writes the same fields with the same message
    standard = {"level", "location", "message", "timestamp", "service"}
    fields = {key: value for key, value in ours if key not in standard}
    buffer = io.StringIO()
    # (its own logger name: Powertools keeps one standard logger, and its handlers, per service)
    stock = Logger(service="stock-powertools", logger_handler=logging.StreamHandler(buffer))
    stock.info("decision", extra=_as_values(fields))
    theirs = json.loads(buffer.getvalue().splitlines()[-1], object_pairs_hook=lambda pairs: pairs)
    # THEN the lines hold the same members in the same order, with equal values but for where,
    # when and the service's name
    assert [key for key, _ in ours] == [key for key, _ in theirs]
    differ = {key for (key, a), (_, b) in zip(ours, theirs) if a != b}
    assert {"location", "service"} <= differ <= {"location", "timestamp", "service"}


def test_a_decision_with_an_unpaired_surrogate_is_still_a_writable_json_line(
    written: io.StringIO, signing_key: SigningKey
) -> None:
    # GIVEN a methodArn path holding an unpaired surrogate (JSON events may carry "\ud800")
    decide(mint(signing_key, auth0_claims(scope="read:orders")), "/orders/a\ud800b")
    # WHEN written THEN the line is valid UTF-8 JSON, the surrogate written as its escape text
    line = _only_decision(written)
    line.encode("utf-8")
    assert json.loads(line)["path"] == "/orders/a\\ud800b"


def _only_decision(buffer: io.StringIO) -> str:
    decisions = [line for line in buffer.getvalue().splitlines() if '"message":"decision"' in line]
    assert len(decisions) == 1, decisions
    return decisions[0]


def _as_values(pairs: dict) -> dict:
    """Nested pair lists (from object_pairs_hook) back to plain JSON values."""
    def convert(value: object) -> object:
        if isinstance(value, list) and value and all(isinstance(item, tuple) and len(item) == 2 for item in value):
            return {key: convert(item) for key, item in value}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {key: convert(value) for key, value in pairs.items()}
