"""authorizer.log_format: the decision line as the Lambda runtime's UTF-8 stdout receives it."""

from __future__ import annotations

import json
import logging

from authorizer.log_format import DECISION_KEY, DecisionLogFormatter


def decision_record(fields: dict) -> logging.LogRecord:
    record = logging.LogRecord("scopegate", logging.INFO, __file__, 1, "decision", (), None)
    setattr(record, DECISION_KEY, fields)
    return record


def test_a_decision_with_an_unpaired_surrogate_is_still_a_writable_json_line() -> None:
    # GIVEN a decision whose path (from the methodArn) or principal holds an unpaired surrogate
    # WHEN it is formatted THEN the line encodes as UTF-8 (stdout would otherwise drop it with a
    # "Logging error") and reads back as the same values
    fields = {"outcome": "allow", "path": "/hel\ud800lo", "principal": "caf\u00e9@clients"}
    line = DecisionLogFormatter().format(decision_record(fields))
    line.encode("utf-8")
    parsed = json.loads(line)
    assert (parsed["outcome"], parsed["path"], parsed["principal"]) == ("allow", "/hel\ud800lo", "caf\u00e9@clients")


def test_an_ascii_decision_line_is_left_as_powertools_writes_it() -> None:
    formatter = DecisionLogFormatter()
    line = formatter.format(decision_record({"outcome": "deny", "path": "/orders/1"}))
    parsed = json.loads(line)
    assert line == formatter.serialize(log=parsed) and parsed["path"] == "/orders/1"
