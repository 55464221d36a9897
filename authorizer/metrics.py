"""CloudWatch metrics in Embedded Metric Format, built with Powertools' EMF provider.

Dimensions stay low-cardinality (service, outcome, reason, fetch result and
trigger): never a principal, a client or a path.

Per decision, the EMF members merged into the decision log line (one line carries both):
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
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class EmfMembers:
    """One EMF document as JSON object members, ready to be written into a log line.

    ``dimensions`` are the dimension values (plain members of the line: ``outcome``, ``reason``,
    ``service``...); ``raw`` is the rest already serialized: ``"_aws":{...}`` and one
    ``"<Metric>":[value]`` member per metric. The decision log line merges the dimensions into its
    own members and appends ``raw``; :meth:`document` is the stand-alone document.
    """

    dimensions: dict[str, str]
    raw: str
    raw_keys: tuple[str, ...]  # the member names in ``raw``

    def document(self) -> str:
        return "{" + self.raw + "," + json.dumps(self.dimensions, separators=(",", ":"))[1:]


@dataclass(frozen=True, slots=True)
class _Shape:
    directive: str  # the serialized CloudWatchMetrics directive
    dimensions: dict[str, str]
    value_keys: tuple[str, ...]  # ',"<Metric>":[' per metric, in order
    raw_keys: tuple[str, ...]  # "_aws" and the metric names


class DecisionMetrics:
    """Writes EMF documents; Powertools builds (and validates) each document shape once.

    The documents of one shape differ only in their timestamp and values, so the shape is built
    by Powertools' EMF provider on its first use and kept, its directive already serialized; each
    later document is the timestamp and the values written into it (a decision's metrics then
    cost about a microsecond instead of a provider and a JSON encoding per call).
    """

    def __init__(self, namespace: str, service: str, sink: Sink = _print) -> None:
        self.namespace = namespace
        self.service = service
        self.sink = sink
        self.enabled = not is_metrics_disabled()
        self._shapes: dict[tuple[Any, ...], _Shape] = {}

    def _shape(self, dimensions: dict[str, str], values: list[tuple[str, MetricUnit, float]]) -> _Shape:
        key = (tuple(dimensions.items()), tuple((name, unit) for name, unit, _ in values))
        shape = self._shapes.get(key)
        if shape is None:
            provider = AmazonCloudWatchEMFProvider(
                metric_set={}, dimension_set={}, metadata_set={}, namespace=self.namespace, service=self.service
            )
            for name, value in dimensions.items():
                provider.add_dimension(name=name, value=value)
            for name, unit, _ in values:
                provider.add_metric(name=name, unit=unit, value=0)
            document: dict[str, Any] = dict(provider.serialize_metric_set())
            directive = document["_aws"]["CloudWatchMetrics"]
            dimension_values = {
                name: document[name] for group in directive for names in group["Dimensions"] for name in names
            }
            shape = _Shape(
                directive=json.dumps(directive, separators=(",", ":")),
                dimensions=dimension_values,
                value_keys=tuple(f",{json.dumps(name)}:[" for name, _, _ in values),
                raw_keys=("_aws", *(name for name, _, _ in values)),
            )
            self._shapes[key] = shape
        return shape

    def _members(
        self, dimensions: dict[str, str], values: list[tuple[str, MetricUnit, float]]
    ) -> EmfMembers | None:
        if not self.enabled:
            return None
        shape = self._shape(dimensions, values)
        parts = [f'"_aws":{{"Timestamp":{int(time.time() * 1000)},"CloudWatchMetrics":{shape.directive}}}']
        for value_key, (_, _, amount) in zip(shape.value_keys, values):
            parts.append(f"{value_key}{float(amount)!r}]")
        return EmfMembers(shape.dimensions, "".join(parts), shape.raw_keys)

    def _emit(self, members: EmfMembers | None) -> None:
        if members is not None:
            self.sink(members.document())

    def record_decision(self, record: DecisionRecord) -> None:
        """Write the decision's metrics as their own EMF document."""
        self._emit(self.decision_members(record))

    def decision_members(self, record: DecisionRecord) -> EmfMembers | None:
        """The decision's EMF members (``_aws``, dimensions, values), or None when metrics are off.

        The authorizer merges them into the decision log line: CloudWatch extracts metrics from
        any log line holding an ``_aws`` directive, so one line carries both.
        """
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
        return self._members({"outcome": record.outcome, "reason": record.reason}, values)

    def record_jwks_fetch(self, fetch: FetchRecord) -> None:
        values = [
            ("JwksFetches", MetricUnit.Count, 1),
            ("JwksFetchLatency", MetricUnit.Milliseconds, round(fetch.duration_seconds * 1000, 3)),
        ]
        if fetch.skipped_keys:  # a good set that also published keys we cannot use
            values.append(("JwksKeysSkipped", MetricUnit.Count, sum(fetch.skipped_keys.values())))
        self._emit(self._members({"result": "ok" if fetch.ok else fetch.reason, "trigger": fetch.trigger}, values))
