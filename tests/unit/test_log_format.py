"""authorizer.log_format: the decision line as the Lambda runtime's UTF-8 stdout receives it."""

from __future__ import annotations

import json
import logging

from authorizer.log_format import DECISION_KEY, DecisionLine, DecisionLogFormatter


def decision_record(fields: dict) -> logging.LogRecord:
    record = logging.LogRecord("scopegate", logging.INFO, __file__, 1, "decision", (), None)
    setattr(record, DECISION_KEY, DecisionLine(fields))
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


def test_the_timestamp_cached_per_second_is_the_one_powertools_writes() -> None:
    # GIVEN records across a second boundary (and back), formatted by ours and by Powertools
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    ours, theirs = DecisionLogFormatter(), LambdaPowertoolsFormatter()
    for created in (1796106969.068, 1796106969.999, 1796106970.0, 1796106970.5, 1796106969.25):
        record = decision_record({"outcome": "allow"})
        record.created, record.msecs = created, (created - int(created)) * 1000
        # THEN each timestamp is Powertools' own
        assert json.loads(ours.format(record))["timestamp"] == theirs.formatTime(record)


def test_prepared_members_are_appended_once_after_the_fields() -> None:
    # GIVEN a decision with EMF members already serialized
    record = decision_record({})
    setattr(record, DECISION_KEY, DecisionLine({"outcome": "deny", "service": "scopegate"}, '"_aws":{"Timestamp":1},"Decisions":[1.0]'))
    formatter = DecisionLogFormatter()
    formatter.append_keys(service="scopegate")  # as the Powertools Logger sets it
    line = formatter.format(record)
    # THEN the line is one JSON object: standard keys, fields, then the members, no key twice
    pairs = json.loads(line, object_pairs_hook=lambda items: items)
    keys = [key for key, _ in pairs]
    assert keys == ["level", "location", "message", "timestamp", "service", "outcome", "_aws", "Decisions"]
    assert line.endswith(',"_aws":{"Timestamp":1},"Decisions":[1.0]}')


def test_a_prepared_member_wins_over_a_field_or_persistent_key_of_the_same_name() -> None:
    # GIVEN a logger key and a field named like EMF members (e.g. someone's append_keys)
    formatter = DecisionLogFormatter()
    formatter.append_keys(service="scopegate", Decisions="persistent")
    record = decision_record({})
    raw = '"_aws":{"Timestamp":1},"Decisions":[1.0]'
    setattr(record, DECISION_KEY, DecisionLine({"outcome": "allow", "_aws": "field"}, raw, ("_aws", "Decisions")))
    # WHEN formatted THEN each key appears once, with the prepared member's value
    pairs = json.loads(formatter.format(record), object_pairs_hook=lambda items: items)
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys))
    assert dict(pairs)["Decisions"] == [1.0] and dict(pairs)["_aws"] == [("Timestamp", 1)]
