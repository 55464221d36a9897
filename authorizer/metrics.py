"""CloudWatch metrics in Embedded Metric Format, through Powertools' public ``EphemeralMetrics``.

Dimensions stay low-cardinality (service, outcome, reason, fetch result and
trigger): never a principal, a client or a path.

Per decision, the EMF members merged into the decision log line (one line carries both):
``Decisions`` (count), ``DecisionLatency`` (microseconds), and when they apply
``PolicyCacheHits``/``PolicyCacheMisses``, ``TokenCacheHits``, ``ColdStarts``,
``ShadowDisagreements``; dimensions ``service``, ``outcome``, ``reason``.

Per JWKS fetch attempt, one EMF document: ``JwksFetches`` (count) and
``JwksFetchLatency`` (milliseconds), ``JwksKeysSkipped`` when a good set also held unusable
keys; dimensions ``service``, ``result`` (``ok`` or the failure reason), ``trigger``
(``initial``, ``scheduled``, ``unknown_kid``).

``POWERTOOLS_METRICS_DISABLED`` (Powertools' convention) turns them off. Each document is built
by Powertools (``add_dimension``, ``add_metric``, ``serialize_metric_set``), so its shape is
Powertools' own; a test pins it (tests/unit/test_metrics.py).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from authorizer.decision_log import DecisionRecord
from authorizer.jwks import FetchRecord

Sink = Callable[[str], None]
MetricValue = tuple[str, MetricUnit, float]


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")  # one write per line (print writes the newline apart)


class DecisionMetrics:
    """Builds EMF documents with Powertools and writes the stand-alone ones to ``sink``."""

    def __init__(self, namespace: str, service: str, sink: Sink = _print) -> None:
        self.sink = sink
        self.enabled = not is_metrics_disabled()
        self._metrics = EphemeralMetrics(namespace=namespace, service=service)  # shares no state
        # one document at a time: the keys of several issuers are fetched on threads at init
        self._building = threading.Lock()

    def _document(self, dimensions: dict[str, str], values: list[MetricValue]) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        with self._building:
            try:
                for name, value in dimensions.items():
                    self._metrics.add_dimension(name=name, value=value)
                for name, unit, amount in values:
                    self._metrics.add_metric(name=name, unit=unit, value=amount)
                return dict(self._metrics.serialize_metric_set())
            finally:
                self._metrics.clear_metrics()

    def decision_document(self, record: DecisionRecord) -> dict[str, Any] | None:
        """The decision's EMF document (``_aws``, dimensions, values), or None when metrics are off.

        The authorizer merges it into the decision log line: CloudWatch extracts metrics from
        any log line holding an ``_aws`` directive, so one line carries both.
        """
        values: list[MetricValue] = [
            ("Decisions", MetricUnit.Count, 1),
            ("DecisionLatency", MetricUnit.Microseconds, record.latency_us),
        ]
        if record.policy_cached is not None:
            hit = "PolicyCacheHits" if record.policy_cached else "PolicyCacheMisses"
            values.append((hit, MetricUnit.Count, 1))
        if record.token_cached:
            values.append(("TokenCacheHits", MetricUnit.Count, 1))
        if record.cold_start:
            values.append(("ColdStarts", MetricUnit.Count, 1))
        if record.shadow_outcome is not None:
            values.append(("ShadowDisagreements", MetricUnit.Count, 0 if record.shadow_agrees else 1))
        return self._document({"outcome": record.outcome, "reason": record.reason}, values)

    def record_decision(self, record: DecisionRecord) -> None:
        """Write the decision's metrics as their own EMF document (when its log line is not written)."""
        self._emit(self.decision_document(record))

    def record_jwks_fetch(self, fetch: FetchRecord) -> None:
        values: list[MetricValue] = [
            ("JwksFetches", MetricUnit.Count, 1),
            ("JwksFetchLatency", MetricUnit.Milliseconds, round(fetch.duration_seconds * 1000, 3)),
        ]
        if fetch.skipped_keys:  # a good set that also published keys we cannot use
            values.append(("JwksKeysSkipped", MetricUnit.Count, sum(fetch.skipped_keys.values())))
        self._emit(self._document({"result": fetch.result, "trigger": fetch.trigger}, values))

    def _emit(self, document: dict[str, Any] | None) -> None:
        if document is not None:
            line = json.dumps(document, separators=(",", ":"))
            with self._building:  # lines written from the prefetch threads never interleave
                self.sink(line)
