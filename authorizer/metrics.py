"""CloudWatch metrics in Embedded Metric Format, built with Powertools' EMF provider.

Dimensions stay low-cardinality (service, outcome, reason, fetch result and
trigger): never a principal, a client or a path.

Per decision, one EMF document:
``Decisions`` (count), ``DecisionLatency`` (microseconds), and when they apply
``PolicyCacheHits``/``PolicyCacheMisses``, ``TokenCacheHits``, ``ColdStarts``,
``ShadowDisagreements``; dimensions ``service``, ``outcome``, ``reason``.

Per JWKS fetch attempt, one EMF document: ``JwksFetches`` (count) and
``JwksFetchLatency`` (milliseconds); dimensions ``service``, ``result``
(``ok`` or the failure reason), ``trigger`` (``initial``, ``scheduled``, ``unknown_kid``).

``POWERTOOLS_METRICS_DISABLED`` (Powertools' convention) turns them off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from authorizer.decision_log import DecisionRecord
from authorizer.jwks import FetchRecord

Sink = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=False)


class DecisionMetrics:
    def __init__(self, namespace: str, service: str, sink: Sink = _print) -> None:
        self.namespace = namespace
        self.service = service
        self.sink = sink
        self.enabled = not is_metrics_disabled()

    def _emit(self, dimensions: dict[str, str], values: list[tuple[str, MetricUnit, float]]) -> None:
        if not self.enabled:
            return
        provider = AmazonCloudWatchEMFProvider(
            metric_set={}, dimension_set={}, metadata_set={}, namespace=self.namespace, service=self.service
        )
        for name, value in dimensions.items():
            provider.add_dimension(name=name, value=value)
        for name, unit, amount in values:
            provider.add_metric(name=name, unit=unit, value=amount)
        document: dict[str, Any] = dict(provider.serialize_metric_set())
        self.sink(json.dumps(document, separators=(",", ":")))

    def record_decision(self, record: DecisionRecord) -> None:
        values: list[tuple[str, MetricUnit, float]] = [
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
        self._emit({"outcome": record.outcome, "reason": record.reason}, values)

    def record_jwks_fetch(self, fetch: FetchRecord) -> None:
        self._emit(
            {"result": "ok" if fetch.ok else fetch.reason, "trigger": fetch.trigger},
            [
                ("JwksFetches", MetricUnit.Count, 1),
                ("JwksFetchLatency", MetricUnit.Milliseconds, round(fetch.duration_seconds * 1000, 3)),
            ],
        )
