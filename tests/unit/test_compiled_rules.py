"""authorizer.compiled_rules: the rules' compiled form loads back as the very RuleSet compiled,
digest included, without PyYAML; a stale, foreign or damaged one is refused by name."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import get_type_hints

import pytest
from hypothesis import given, settings

from authorizer.caller import Caller
from authorizer.compiled_rules import (
    FIELDS,
    compile_rules_file,
    compiled_path_for,
    dump_compiled_rules,
    load_compiled_rules,
    main,
    parse_compiled_rules,
)
from authorizer.context import build_context
from authorizer.errors import RulesError
from authorizer.fingerprint import fingerprint
from authorizer.conditions import Conditions
from authorizer.route import RoutePattern
from authorizer.rules import Rule, compile_rules, load_rules
from authorizer.tokens import Claims
from bench.rules_scale import generated_rules
from tests.property.strategies import GeneratedRules, rules_files

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "policies" / "rules.yaml"
EXAMPLE = """\
version: 1
rules:
  - route: GET /hello
    scopes: [read:hello]
  - route: "* /admin/*"
    deny: true
    id: no-admin
    description: nobody reaches admin through the gateway
"""


def written(folder: Path, text: str, name: str = "rules.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def claims(scope: str) -> Claims:
    return Claims(subject="c@clients", client_id="c", issuer="https://issuer.example/", scopes=tuple(scope.split()),
                  expires_at=2_000_000_000, issued_at=None, not_before=None, profile="auth0", token_id=None, key_id="k")


def test_the_shipped_rules_load_back_identical_with_the_digest_the_context_carries(tmp_path: Path) -> None:
    # GIVEN policies/rules.yaml compiled as the build compiles it
    text = SHIPPED.read_text()
    compiled = compile_rules(text, "policies/rules.yaml")
    target = tmp_path / "rules.compiled.json"
    # WHEN it is written and loaded back
    target.write_text(dump_compiled_rules(compiled, text))
    loaded = load_compiled_rules(target, source_text=text)
    # THEN it is the same RuleSet, field by field, with the digest of the YAML text
    assert loaded == compiled
    assert [rule.route.glob for rule in loaded.rules] == [rule.route.glob for rule in compiled.rules]
    assert loaded.digest == compiled.digest == fingerprint(text)
    assert loaded.known_scopes == compiled.known_scopes
    assert build_context(claims("read:hello"), loaded) == build_context(claims("read:hello"), compiled)


def test_a_thousand_generated_rules_load_back_identical_and_decide_alike() -> None:
    text = generated_rules(1000)
    compiled = compile_rules(text, "generated.yaml")
    loaded = parse_compiled_rules(dump_compiled_rules(compiled, text))
    assert loaded == compiled and loaded.digest == compiled.digest
    caller = Caller.holding(frozenset({"read:svc7", "write:svc7"}))
    for method, path in (("GET", "/svc7/items"), ("DELETE", "/svc7/items/9"), ("PUT", "/svc7/internal/x")):
        assert loaded.decide(method, path, caller) == compiled.decide(method, path, caller)


@settings(max_examples=60, deadline=None)
@given(rules_files(max_rules=12))
def test_any_valid_rules_file_loads_back_identical(generated: GeneratedRules) -> None:
    loaded = parse_compiled_rules(dump_compiled_rules(generated.ruleset, generated.text))
    assert loaded == generated.ruleset
    assert [rule.description for rule in loaded.rules] == [rule.description for rule in generated.ruleset.rules]


def test_load_rules_takes_the_compiled_form_beside_the_rules_file(tmp_path: Path) -> None:
    # GIVEN rules.yaml and, beside it, its compiled form
    source = written(tmp_path, EXAMPLE)
    compile_rules_file(source, compiled_path_for(source))
    # WHEN the settings name rules.yaml THEN the compiled form is what loads (its source is its own)
    loaded = load_rules(source)
    assert loaded == compile_rules(EXAMPLE, str(source)) and loaded.digest == fingerprint(EXAMPLE)
    # AND a compiled form named directly loads too
    assert load_rules(tmp_path / "rules.compiled.json") == loaded


def test_load_rules_without_a_compiled_form_compiles_the_yaml(tmp_path: Path) -> None:
    source = written(tmp_path, EXAMPLE)
    assert load_rules(source) == compile_rules(EXAMPLE, str(source))


def test_a_compiled_form_of_another_text_is_refused_naming_it_and_the_fix(tmp_path: Path) -> None:
    # GIVEN a compiled form left from an older rules.yaml
    source = written(tmp_path, EXAMPLE)
    compile_rules_file(source, compiled_path_for(source))
    source.write_text(EXAMPLE.replace("read:hello", "read:hello2"))
    # WHEN the rules are loaded THEN the stale form is refused, never used
    with pytest.raises(RulesError) as refused:
        load_rules(source)
    assert str(refused.value) == (
        f"{tmp_path / 'rules.compiled.json'}: was compiled from another version of {source}; "
        "rebuild it (make sam-build) or remove it to compile the rules file at start-up"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(version=2), "was written by another version of scopegate (format 2)"),
        (lambda d: d.pop("digest"), "was written by another version of scopegate (format 1)"),
        (lambda d: d.update(format="other"), 'is not a compiled rules file (no "format": "scopegate-compiled-rules")'),
        (lambda d: d.update(rules=[]), "'rules' must be a non-empty list"),
        (lambda d: d.update(digest=12), "'digest' must be a string"),
        (lambda d: d["rules"][1].pop("deny"),
         "rule 2: must be an object with exactly index, line, id, route, scopes, any_scopes, authenticated, deny, "
         "description, conditions"),
        (lambda d: d["rules"][0].update(scope=["x"]),
         "rule 1: must be an object with exactly index, line, id, route, scopes, any_scopes, authenticated, deny, "
         "description, conditions"),
        (lambda d: d["rules"][0].update(index=True), "rule 1: index: must be a int"),
        (lambda d: d["rules"][0].update(deny="false"), "rule 1: deny: must be a bool"),
        (lambda d: d["rules"][0].update(scopes="read:hello"), "rule 1: scopes: must be a list of strings"),
        (lambda d: d["rules"][0]["route"].pop("pattern"), "rule 1: route: must be an object with exactly method, path, pattern"),
    ],
)
def test_a_damaged_compiled_form_is_refused_naming_the_file_and_the_field(tmp_path: Path, change, problem) -> None:
    document = json.loads(dump_compiled_rules(compile_rules(EXAMPLE, "rules.yaml"), EXAMPLE))
    change(document)
    target = written(tmp_path, json.dumps(document), "rules.compiled.json")
    with pytest.raises(RulesError) as refused:
        load_rules(target)
    assert str(refused.value) == (
        f"{target}: {problem}; rebuild it (make sam-build) or remove it to compile the rules file at start-up"
    )


def test_text_that_is_not_json_is_refused(tmp_path: Path) -> None:
    target = written(tmp_path, "version: 1\n", "rules.compiled.json")
    with pytest.raises(RulesError, match=r"rules\.compiled\.json: is not JSON; rebuild it"):
        load_rules(target)


def test_the_build_step_compiles_and_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = written(tmp_path, EXAMPLE)
    target = tmp_path / "rules.compiled.json"
    assert main([str(source), str(target)]) == 0
    assert capsys.readouterr().out == (
        f"compiled 2 rules from {source} (rules_digest {fingerprint(EXAMPLE)}) into {target}\n"
    )
    assert load_compiled_rules(target, source_text=EXAMPLE) == compile_rules(EXAMPLE, str(source))


def test_the_build_step_fails_on_invalid_rules_naming_file_and_line(tmp_path: Path, capsys) -> None:
    source = written(tmp_path, EXAMPLE.replace("scopes: [read:hello]", "scope: [read:hello]"))
    target = tmp_path / "rules.compiled.json"
    assert main([str(source), str(target)]) == 1
    assert capsys.readouterr().err.startswith(f"cannot compile the rules: {source}:4: rule 1 (GET /hello): unknown key 'scope'")
    assert not target.exists()


def test_loading_the_compiled_form_imports_no_yaml(tmp_path: Path) -> None:
    # GIVEN rules.yaml with its compiled form, in a fresh interpreter
    source = written(tmp_path, EXAMPLE)
    compile_rules_file(source, compiled_path_for(source))
    program = (
        "import sys; from pathlib import Path; from authorizer.rules import load_rules; "
        f"rules = load_rules(Path({str(source)!r})); "
        "print(len(rules.rules), rules.digest, 'yaml' in sys.modules, 'authorizer.yaml_source' in sys.modules)"
    )
    # WHEN it loads the rules THEN neither PyYAML nor our YAML reader was imported
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", fingerprint(EXAMPLE), "False", "False"]


def test_rules_with_conditions_on_the_caller_load_back_identical() -> None:
    text = EXAMPLE + """\
  - route: POST /refunds
    scopes: [refund:orders]
    clients: [billing-job]
    issuers: ["https://issuer.example/"]
  - route: POST /refunds
    deny: true
    orgs: [org_blocked]
    id: no-refunds-for-blocked-org
"""
    compiled = compile_rules(text, "rules.yaml")
    loaded = parse_compiled_rules(dump_compiled_rules(compiled, text))
    assert loaded == compiled and loaded.named == compiled.named
    assert [rule.conditions for rule in loaded.rules][-2:] == [rule.conditions for rule in compiled.rules][-2:]
    assert loaded.rules[-1].conditions.orgs == frozenset({"org_blocked"})


def constructor_parameters(kind: type) -> list[tuple[str, object]]:
    """(name, type) of each parameter of ``kind``'s constructor, in order."""
    hints = get_type_hints(kind if issubclass(kind, tuple) else kind.__init__)  # a NamedTuple or a plain class
    return [(name, hints[name]) for name in inspect.signature(kind).parameters]


def test_the_compiled_fields_are_each_kinds_constructor_parameters_in_order_with_their_types() -> None:
    # GIVEN what the compiled form writes of each kind ('frozenset' stands for a set of strings)
    written = {kind: [(name, frozenset[str] if of is frozenset else of) for name, of in fields]
               for kind, fields in FIELDS.items()}
    # THEN it is every parameter of the kind's constructor, in order, so a new field cannot be left out
    assert written == {kind: constructor_parameters(kind) for kind in (Rule, RoutePattern, Conditions)}
