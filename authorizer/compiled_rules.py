"""The compiled form of a rules file: a :class:`~authorizer.rules.RuleSet` as JSON (pure but for files).

``make sam-build`` compiles policies/rules.yaml with this package's own compiler
(:func:`authorizer.rules.compile_rules`) and writes ``policies/rules.compiled.json`` beside it in
the artifact (``python -m authorizer.compiled_rules SOURCE TARGET``). A cold start then loads the
rules without PyYAML and without compiling them again: JSON in, the compiled fields out.

The file holds every field of every rule (as :class:`~authorizer.rules.Rule` declares them), the
rules digest that the context and the logs carry, and the SHA-256 of the text it was compiled
from. :func:`authorizer.rules.load_rules` uses it only when it sits beside the rules file the
settings name and that file's text still has that SHA-256; any other mismatch, a version or a
field this code does not know, is a :class:`~authorizer.errors.RulesError` that names the file and
says to rebuild. The build loads what it wrote and checks it equals what it compiled.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import Field, fields
from pathlib import Path
from typing import Any

from authorizer.conditions import Conditions
from authorizer.errors import Reason, RulesError
from authorizer.route import RoutePattern
from authorizer.rules import Rule, RuleSet, compile_rules, read_rules_text

FORMAT = "scopegate-compiled-rules"
FORMAT_VERSION = 1
COMPILED_SUFFIX = ".compiled.json"
MAX_COMPILED_BYTES = 8 * 1024 * 1024  # a 1 MiB rules file compiles to well under this
REBUILD = "rebuild it (make sam-build) or remove it to compile the rules file at start-up"
_TOP_LEVEL = frozenset({"format", "version", "source", "source_sha256", "digest", "rules"})
_SCALARS: dict[str, type] = {"int": int, "str": str, "bool": bool}
_NESTED: dict[str, type[Any]] = {"RoutePattern": RoutePattern, "Conditions": Conditions}
# What each kind's constructor takes, as its dataclass declares it: a field added to Rule is written
# and read without a change here, as long as its type is one of the above.
_KINDS: tuple[type[Any], ...] = (Rule, RoutePattern, Conditions)
_FIELDS = {kind: tuple(field for field in fields(kind) if field.init) for kind in _KINDS}


class _Invalid(ValueError):
    """Where and why the compiled file cannot be used (made into a RulesError by the loader)."""


def compiled_path_for(rules_file: Path) -> Path:
    """Where the compiled form of ``rules_file`` sits: ``rules.yaml`` -> ``rules.compiled.json``."""
    return rules_file.with_suffix(COMPILED_SUFFIX)


def is_compiled_path(path: Path) -> bool:
    return path.name.endswith(COMPILED_SUFFIX)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _init_fields(kind: type[Any]) -> tuple[Field[Any], ...]:
    return _FIELDS[kind]


def _encode(value: Any, type_name: str, where: str) -> Any:
    if type_name in _SCALARS:
        return value
    if type_name == "frozenset[str]":
        return sorted(value)
    if type_name in _NESTED:
        return {field.name: _encode(getattr(value, field.name), str(field.type), f"{where}.{field.name}")
                for field in _init_fields(_NESTED[type_name])}
    raise TypeError(f"{where} is a {type_name}, which authorizer/compiled_rules.py cannot write yet")


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


def _converter(type_name: str) -> Converter:
    if type_name in _SCALARS:
        return _scalar(_SCALARS[type_name])
    if type_name == "frozenset[str]":
        return _scope_set
    if type_name in _NESTED:
        return _object_converter(_NESTED[type_name])
    raise TypeError(f"a {type_name} field, which authorizer/compiled_rules.py cannot read yet")


def _object_converter(kind: type[Any]) -> Converter:
    """Reads an object holding exactly ``kind``'s fields into a ``kind`` (planned once per kind)."""
    plan = tuple((field.name, _converter(str(field.type))) for field in _init_fields(kind))
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
            {field.name: _encode(getattr(rule, field.name), str(field.type), f"rule {rule.index}.{field.name}")
             for field in _init_fields(Rule)}
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
