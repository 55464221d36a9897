"""Broken rules files are refused at load with a clear message naming the file and the line.

Time and memory of each refusal are measured by bench/security_report.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from authorizer.errors import RulesError
from authorizer.rules import compile_rules, load_rules
from tests.fault.rules_faults import RULES_FAULTS, RulesFault


@pytest.mark.parametrize("fault", RULES_FAULTS, ids=lambda f: f.name)
def test_broken_rules_file_is_refused_with_a_clear_message(fault: RulesFault, tmp_path: Path) -> None:
    # GIVEN a rules file broken in one way
    path = tmp_path / "rules.yaml"
    text = fault.text()
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    # WHEN the authorizer loads it
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    # THEN it is refused with the whole expected message
    assert (raised.value.reason, str(raised.value)) == ("rules_invalid", fault.message.replace("rules.yaml", str(path), 1))


@pytest.mark.parametrize("depth", [65, 500, 5000])
def test_deeply_nested_yaml_is_a_rules_error_not_a_recursion_error(depth: int) -> None:
    # Regression: 500 nested lists used to escape as RecursionError (an unexplained 500 at every invocation)
    with pytest.raises(RulesError) as raised:
        compile_rules("version: 1\nrules: " + "[" * depth + "]" * depth + "\n", "rules.yaml")
    assert str(raised.value) == "rules.yaml:2: values are nested more than 64 levels deep"


def test_node_cap_stops_the_parser_before_it_reads_the_whole_file() -> None:
    # Regression: the cap was counted after PyYAML had composed every node (a 1 MiB list took ~28 s).
    # GIVEN a list too long, then a syntax error at its end that only a parser reading to the end meets
    text = "version: 1\nrules: [" + "1," * 60_000 + "1, ]]\n"
    # THEN the refusal is the node cap, met before the end
    with pytest.raises(RulesError) as raised:
        compile_rules(text, "rules.yaml")
    assert str(raised.value) == "rules.yaml:2: more than 50000 YAML nodes"
