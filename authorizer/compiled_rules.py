"""The compiled form of a rules file: a :class:`~authorizer.rules.RuleSet` as JSON (pure but for files).

``make sam-build`` compiles policies/rules.yaml with this package's own compiler
(:func:`authorizer.rules.compile_rules`) and writes ``policies/rules.compiled.json`` beside it in
the artifact (``python -m authorizer.compiled_rules SOURCE TARGET``). A cold start then loads the
rules without PyYAML and without compiling them again: JSON in, the compiled fields out.

The file holds every field of every rule (what :class:`~authorizer.rules.Rule` takes, as
:data:`FIELDS` lists it), the rules digest that the context and the logs carry, and the SHA-256 of
the text it was compiled from. :func:`authorizer.rules.load_rules` uses it only when it sits
beside the rules file the settings name and that file's text still has that SHA-256; any other
mismatch, a version or a field this code does not know, is a
:class:`~authorizer.errors.RulesError` that names the file and says to rebuild. The build loads
what it wrote and checks it equals what it compiled.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from authorizer.compiled_form import COMPILED_SUFFIX as COMPILED_SUFFIX
from authorizer.compiled_form import compiled_file_name, is_compiled_name
from authorizer.compiled_form import text_sha256 as text_sha256
from authorizer.conditions import Conditions
from authorizer.errors import Reason, RulesError
from authorizer.route import RoutePattern
from authorizer.rules import Rule, RuleSet, compile_rules, read_rules_text

FORMAT = "scopegate-compiled-rules"
FORMAT_VERSION = 1
MAX_COMPILED_BYTES = 8 * 1024 * 1024  # a 1 MiB rules file compiles to well under this
REBUILD = "rebuild it (make sam-build) or remove it to compile the rules file at start-up"
_TOP_LEVEL = frozenset({"format", "version", "source", "source_sha256", "digest", "rules"})
_SCALARS = (int, str, bool)  # written as they are
# What each kind written to the file takes, parameter by parameter in its constructor's order (the
# order of the file's keys), with the parameter's type: a scalar, ``frozenset`` (of strings, written
# as a sorted list) or a kind of this table (an object). A parameter added to one of these classes
# must be added here; tests/unit/test_compiled_rules.py checks the table against their constructors.
FIELDS: dict[type[Any], tuple[tuple[str, type[Any]], ...]] = {
    Rule: (
        ("index", int),
        ("line", int),
        ("id", str),
        ("route", RoutePattern),
        ("scopes", frozenset),
        ("any_scopes", frozenset),
        ("authenticated", bool),
        ("deny", bool),
        ("description", str),
        ("conditions", Conditions),
    ),
    RoutePattern: (("method", str), ("path", str), ("pattern", str)),
    Conditions: (("clients", frozenset), ("orgs", frozenset), ("issuers", frozenset)),
}


class _Invalid(ValueError):
    """Where and why the compiled file cannot be used (made into a RulesError by the loader)."""


def compiled_path_for(rules_file: Path) -> Path:
    """Where the compiled form of ``rules_file`` sits: ``rules.yaml`` -> ``rules.compiled.json``."""
    return Path(compiled_file_name(str(rules_file)))


def is_compiled_path(path: Path) -> bool:
    return is_compiled_name(path.name)


def _encode(value: Any, kind: type[Any], where: str) -> Any:
    if kind in _SCALARS:
        return value
    if kind is frozenset:
        return sorted(value)
    if kind in FIELDS:
        return {name: _encode(getattr(value, name), field_kind, f"{where}.{name}")
                for name, field_kind in FIELDS[kind]}
    raise TypeError(f"{where} is a {kind.__name__}, which authorizer/compiled_rules.py cannot write yet")


Converter = Callable[[Any], Any]


def _scalar(kind: type) -> Converter:
    def convert(raw: Any) -> Any:
        if type(raw) is not kind:  # exact: a bool is not an int here
            raise _Invalid(f"must be a {kind.__name__}")
        return raw

    return convert


def _scope_set(raw: Any) -> frozenset[str]:
    if type(raw) is not list or not all(type(item) is str for item in raw):
        raise _Invalid("must be a list of strings")
    return frozenset(raw)


def _converter(kind: type[Any]) -> Converter:
    if kind in _SCALARS:
        return _scalar(kind)
    if kind is frozenset:
        return _scope_set
    if kind in FIELDS:
        return _object_converter(kind)
    raise TypeError(f"a {kind.__name__} field, which authorizer/compiled_rules.py cannot read yet")


def _object_converter(kind: type[Any]) -> Converter:
    """Reads an object holding exactly ``kind``'s fields into a ``kind`` (planned once per kind)."""
    plan = tuple((name, _converter(field_kind)) for name, field_kind in FIELDS[kind])
    names = frozenset(name for name, _ in plan)
    expected = ", ".join(name for name, _ in plan)

    def convert(raw: Any) -> Any:
        if type(raw) is not dict or raw.keys() != names:
            raise _Invalid(f"must be an object with exactly {expected}")
        values: dict[str, Any] = {}
        name = ""
        try:
            for name, field_converter in plan:
                values[name] = field_converter(raw[name])
        except _Invalid as problem:
            raise _Invalid(f"{name}: {problem}") from None
        return kind(**values)

    return convert


_read_rule = _object_converter(Rule)


def dump_compiled_rules(rules: RuleSet, source_text: str) -> str:
    """The compiled file for ``rules``, compiled from ``source_text``."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "source": rules.source,
        "source_sha256": text_sha256(source_text),
        "digest": rules.digest,
        "rules": [
            _encode(rule, Rule, f"rule {rule.index}")
            for rule in rules.rules
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def parse_compiled_rules(text: str, *, source_sha256: str | None = None) -> RuleSet:
    """The RuleSet a compiled file holds; when ``source_sha256`` is given, the file must have been
    compiled from the text with that hash. Raises ``ValueError`` saying what is wrong."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _Invalid("is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _Invalid(f"is not a compiled rules file (no \"format\": \"{FORMAT}\")")
    if document.get("version") != FORMAT_VERSION or document.keys() != _TOP_LEVEL:
        raise _Invalid(f"was written by another version of scopegate (format {document.get('version')!r})")
    for name in ("source", "source_sha256", "digest"):
        if type(document[name]) is not str:
            raise _Invalid(f"'{name}' must be a string")
    if source_sha256 is not None and document["source_sha256"] != source_sha256:
        raise _Invalid(f"was compiled from another version of {document['source']}")
    raw_rules = document["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _Invalid("'rules' must be a non-empty list")
    rules = []
    for number, raw in enumerate(raw_rules, start=1):
        try:
            rules.append(_read_rule(raw))
        except _Invalid as problem:
            raise _Invalid(f"rule {number}: {problem}") from None
    known = frozenset().union(*(rule.scopes | rule.any_scopes for rule in rules))
    return RuleSet(rules=tuple(rules), source=document["source"], digest=document["digest"], known_scopes=known)


def load_compiled_rules(path: Path, *, source_text: str | None = None) -> RuleSet:
    """Read a compiled file; with ``source_text``, it must have been compiled from that text."""
    text = read_rules_text(path, MAX_COMPILED_BYTES)
    try:
        return parse_compiled_rules(text, source_sha256=None if source_text is None else text_sha256(source_text))
    except _Invalid as problem:
        raise RulesError(f"{path}: {problem}; {REBUILD}", reason=Reason.RULES_INVALID) from None


def compile_rules_file(source: Path, target: Path) -> RuleSet:
    """Compile ``source`` into ``target``, then load ``target`` back: it must give the same RuleSet."""
    text = read_rules_text(source)
    rules = compile_rules(text, str(source))
    target.write_text(dump_compiled_rules(rules, text), encoding="utf-8")
    loaded = load_compiled_rules(target, source_text=text)
    if loaded != rules or loaded.digest != rules.digest:
        raise RulesError(f"{target}: the compiled rules do not load back as compiled", reason=Reason.RULES_INVALID)
    return rules


def main(argv: list[str]) -> int:
    """``python -m authorizer.compiled_rules SOURCE TARGET`` (the build's step; see the Makefile)."""
    if len(argv) != 2:
        print("usage: python -m authorizer.compiled_rules RULES_YAML COMPILED_JSON", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    try:
        rules = compile_rules_file(source, target)
    except RulesError as problem:
        print(f"cannot compile the rules: {problem}", file=sys.stderr)
        return 1
    print(f"compiled {len(rules.rules)} rules from {source} (rules_digest {rules.digest}) into {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
