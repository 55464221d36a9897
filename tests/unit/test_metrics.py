"""authorizer.metrics: EMF documents with low-cardinality dimensions."""

from __future__ import annotations

import json
import sys
import threading

import pytest

from authorizer.decision_log import DecisionRecord
from authorizer.jwks import FetchRecord
from authorizer.metrics import DecisionMetrics


def emitted(record_call) -> list[dict]:
    lines: list[str] = []
    metrics = DecisionMetrics("scopegate-test", "scopegate", sink=lines.append)
    record_call(metrics)
    return [json.loads(line) for line in lines]


def test_decision_metrics_carry_outcome_and_reason_as_the_only_dimensions() -> None:
    record = DecisionRecord(
        decision_id="r1", outcome="deny", reason="insufficient_scope", principal="c@clients", client_id="c",
        path="/orders/1", policy_cached=True, token_cached=True, cold_start=True, latency_us=87,
    )
    (document,) = emitted(lambda m: m.record_decision(record))
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "scopegate-test"
    assert directive["Dimensions"] == [["outcome", "reason", "service"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "Decisions": "Count",
        "DecisionLatency": "Microseconds",
        "PolicyCacheHits": "Count",
        "TokenCacheHits": "Count",
        "ColdStarts": "Count",
    }
    assert (document["outcome"], document["reason"], document["service"]) == ("deny", "insufficient_scope", "scopegate")
    assert (document["Decisions"], document["DecisionLatency"]) == ([1.0], [87.0])
    assert "c@clients" not in json.dumps(document) and "/orders/1" not in json.dumps(document)


def test_shadow_disagreement_is_counted() -> None:
    record = DecisionRecord(outcome="allow", reason="allowed", shadow_outcome="deny", shadow_reason="insufficient_scope")
    (document,) = emitted(lambda m: m.record_decision(record))
    assert document["ShadowDisagreements"] == [1.0]


def test_jwks_fetch_metrics_have_result_and_trigger() -> None:
    (document,) = emitted(lambda m: m.record_jwks_fetch(FetchRecord(False, "jwks_timeout", "unknown_kid", 0.25)))
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["result", "trigger", "service"]]
    assert (document["result"], document["trigger"], document["JwksFetches"], document["JwksFetchLatency"]) == (
        "jwks_timeout",
        "unknown_kid",
        [1.0],
        [250.0],
    )


def test_metrics_can_be_switched_off_the_powertools_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    assert emitted(lambda m: m.record_decision(DecisionRecord(outcome="allow", reason="allowed"))) == []


def test_documents_built_on_several_threads_never_mix() -> None:
    # GIVEN one DecisionMetrics shared by threads (the issuers' key sets fetched at once) and the
    # GIL handed over as often as Python allows WHEN each thread records fetches of its own result
    written: list[str] = []

    def sink(line: str) -> None:  # two writes per line, as print makes them
        written.append(line)
        written.append("\n")

    metrics = DecisionMetrics("scopegate-test", "scopegate", sink=sink)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=lambda reason=reason: [
            metrics.record_jwks_fetch(FetchRecord(reason is None, reason, "initial", 0.001)) for _ in range(300)])
            for reason in (None, "jwks_unreachable", "jwks_http_error", "jwks_timeout")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    # THEN every line is written whole, and every document holds exactly one fetch, with its own dimensions
    assert written[1::2] == ["\n"] * 1200
    documents = [json.loads(line) for line in written[0::2]]
    assert len(documents) == 1200
    assert all(document["JwksFetches"] == [1.0] and document["trigger"] == "initial" for document in documents)
    assert sorted({document["result"] for document in documents}) == [
        "jwks_http_error", "jwks_timeout", "jwks_unreachable", "ok"]
