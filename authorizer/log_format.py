"""The decision log's line format: Powertools' JSON format, written without its generic walk.

Powertools' formatter finds a record's extra keys by walking every attribute of the record, and
encodes the whole line, EMF directive included, on every call: together about as much as the rest
of a repeated-token decision. The decision arrives as one prepared :class:`DecisionLine` (its
fields as a mapping, its EMF metrics as members already serialized), so this formatter writes the
same JSON line Powertools would (``level``, ``location``, ``message``, ``timestamp``, the logger's
persistent keys such as ``service``, ``xray_trace_id`` when tracing, then the fields and the
metrics) with one encoding of the small part that changes. Every other line goes through
Powertools unchanged.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

DECISION_KEY = "scopegate_decision"
_FORMATTED_BY_POWERTOOLS = frozenset({"level", "location", "message", "timestamp"})

# Powertools' default serializer, kept as one encoder instead of one per line.
_encode = json.JSONEncoder(default=str, separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """What the decision log line holds after the standard keys.

    ``fields``: the decision's members (every key a plain JSON member); ``raw``: further members
    already serialized as JSON (``"name":value`` pairs joined by commas, no braces), or empty.
    A name in ``raw_keys`` wins over the same key of ``fields`` or of the logger's persistent keys
    (as a later member of a merged mapping would), so the line never holds a key twice.
    """

    fields: dict[str, Any]
    raw: str = ""
    raw_keys: tuple[str, ...] = ()  # the member names in ``raw``: they win over any other key


class DecisionLogFormatter(LambdaPowertoolsFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._second: int | None = None
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 - logging's name
        decision = getattr(record, DECISION_KEY, None)
        if not isinstance(decision, DecisionLine):
            return super().format(record)
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": self._timestamp(record),
        }
        for name, value in self.log_format.items():
            if name not in _FORMATTED_BY_POWERTOOLS and value is not None:
                line[name] = value
        trace_id = self._get_latest_trace_id()
        if trace_id:
            line["xray_trace_id"] = trace_id
        line.update(decision.fields)
        for name in decision.raw_keys:
            line.pop(name, None)
        text = _encode(line)
        if decision.raw:
            text = f"{text[:-1]},{decision.raw}}}"
        if text.isascii():
            return text
        # An unpaired surrogate (a methodArn path, a claim) cannot be written to UTF-8 stdout: the
        # line would be dropped. Inside a JSON string, backslashreplace gives its JSON escape.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def _timestamp(self, record: logging.LogRecord) -> str:
        """Powertools' timestamp; its default format is computed once per second."""
        if self.datefmt is not None or self.use_rfc3339_iso8601:
            return self.formatTime(record, self.datefmt)
        second = int(record.created)
        if second != self._second:
            # "%%F" leaves the directive itself in the text, where the milliseconds go per line
            directive = self.custom_ms_time_directive
            pattern = self.default_time_format.replace(directive, "%" + directive)
            self._second_text = time.strftime(pattern, self.converter(record.created))
            self._second = second
        return self._second_text.replace(self.custom_ms_time_directive, "%03d" % record.msecs)  # noqa: UP031
