"""Load a YAML file into plain values that remember their line numbers (pure).

Used for policies/rules.yaml and its test tables. Stricter than ``safe_load``:

* anchors and aliases are refused (they have no use in a rules file, and they
  are how YAML bombs expand a small file into millions of nodes);
* duplicate mapping keys are refused (``safe_load`` silently keeps the last);
* mapping keys must be strings;
* the text, the node count and the nesting depth are capped while PyYAML
  composes, so time and memory stay bounded: PyYAML's pure-Python parser
  costs ~40 µs a node (a 1 MiB flat list used to take ~28 s before the count,
  made after composing, refused it), and it composes recursively (500 nested
  ``[`` used to raise RecursionError instead of a clear message).

Events come from libyaml (PyYAML's C parser) when PyYAML was built with it, so a
1,000-rule file parses in milliseconds; composing stays in Python, where the
alias check lives. The pure-Python parser is the fallback, with the same checks.

Mappings come back as :class:`LineDict` and sequences as :class:`LineList`,
which carry ``line`` (1-based) and the lines of their keys or items.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 50_000  # ~1 s of parsing; a rules file of 200 rules has ~1,500
MAX_YAML_DEPTH = 64  # a rules file needs 4 levels


class YamlProblem(ValueError):
    """A YAML document that cannot be used; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class LineDict(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _PythonParser(Reader, Scanner, Parser):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _fastest_parser() -> type:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return _PythonParser
    return CParser


class _NoAliasLoader(Composer, SafeConstructor, Resolver):
    """Strict composer over a parser (mixed in by :func:`_loader_class`)."""

    depth = 0
    nodes = 0

    def __init__(self, stream: str) -> None:
        self.parser_class.__init__(self, stream)  # type: ignore[attr-defined]
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def get_single_node(self) -> Any:
        return Composer.get_single_node(self)  # a C parser's own composer would skip compose_node

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]  # the parser class mixed in above
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                "anchors and aliases (&name, *name) are not allowed; write the values out",
                event.start_mark.line + 1,
            )
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise YamlProblem(f"more than {MAX_YAML_NODES} YAML nodes", event.start_mark.line + 1)
        if self.depth >= MAX_YAML_DEPTH:
            raise YamlProblem(
                f"values are nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark.line + 1
            )
        self.depth += 1
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


def _loader_class(parser: type) -> type[_NoAliasLoader]:
    return type(f"NoAliasLoader_{parser.__name__}", (_NoAliasLoader, parser), {"parser_class": parser})


LOADERS = {"libyaml": _loader_class(_fastest_parser()), "python": _loader_class(_PythonParser)}


def _convert(loader: _NoAliasLoader, node: yaml.Node) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line = line
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise YamlProblem(f"mapping key {key!r} is not a string", key_line)
            if key in result:
                raise YamlProblem(
                    f"key '{key}' appears twice in one mapping (first on line "
                    f"{result.key_lines[key]}); keep one",
                    key_line,
                )
            result[key] = _convert(loader, value_node)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LineList()
        items.line = line
        items.item_lines = []
        for item in node.value:
            items.append(_convert(loader, item))
            items.item_lines.append(item.start_mark.line + 1)
        return items
    return loader.construct_object(node, deep=True)


# What YAML reads a plain value's first character as, when that character is an indicator.
_INDICATOR_MEANINGS = {
    "*": "an alias",
    "&": "an anchor",
    "!": "a tag",
    "?": "a mapping key",
    "{": "the start of a mapping",
    "[": "the start of a list",
    "|": "a block of text",
    ">": "a block of text",
    "%": "a directive",
    "@": "a reserved character",
    "`": "a reserved character",
}
# An unquoted ``METHOD /path`` whose method part starts with an indicator: ``* /reports/{id}``,
# ``*/x``, ``? /x``, ``{GET} /x``, ``[GET, POST] /x``; preceded by the line's start, a space or a
# flow delimiter. Every repetition is of a class the next token cannot start with, so it does not
# backtrack within one start; lines are capped (_HINT_MAX_LINE) so the scan stays small.
_UNQUOTED_ROUTE = re.compile(
    r"(?:^|(?<=[\s\[{,]))"
    r"(?P<route>(?:[*&!?|>%@`][A-Za-z*]*|\{[^{}\n]*\}|\[[^\[\]\n]*\]) *"
    r"/(?:[^\s,\[\]{}#]|\{[^\s,\[\]{}#]*\})*)"
)
_HINT_MAX_LINE = 1000


def _quoting_hint(text: str, lines: Iterable[int | None]) -> str:
    """``; a route that starts with '*' must be quoted ...`` for a refusal on one of ``lines``.

    An unquoted route such as ``* /reports/{id}`` is the usual cause of a YAML refusal in a
    rules file: YAML reads the leading ``*`` as an alias, ``{`` as a mapping, ``?`` as a key.
    """
    source_lines = text.splitlines()
    for number in dict.fromkeys(lines):
        if number is None or not 1 <= number <= len(source_lines):
            continue
        line = source_lines[number - 1]
        if len(line) > _HINT_MAX_LINE:
            continue
        found = _UNQUOTED_ROUTE.search(line)
        if found is None:
            continue
        route = found.group("route")
        quoted = "'" + route.replace("'", "''") + "'" if '"' in route or "\\" in route else f'"{route}"'
        before = line[: found.start()].rstrip()
        key = re.split(r"[\s{,]", before[:-1])[-1] if before.endswith(":") else ""
        example = f"{key}: {quoted}" if key else quoted
        first = route[0]
        return (
            f"; a route that starts with '{first}' must be quoted "
            f"(YAML reads '{first}' as {_INDICATOR_MEANINGS[first]}): {example}"
        )
    return ""


def _reader_problem(error: yaml.reader.ReaderError, text: str) -> YamlProblem:
    return YamlProblem(
        f"invalid YAML: character U+{error.character:04X} is not allowed "
        "(control and non-printable characters are not)",
        text.count("\n", 0, error.position) + 1,
    )


def load_yaml(text: str, *, parser: str = "libyaml") -> Any:
    """Parse one YAML document; raise :class:`YamlProblem` with a line number.

    ``parser`` picks libyaml (the pure-Python parser when PyYAML lacks it) or ``"python"``.
    libyaml parses fast; when it refuses a document, the pure-Python parser parses it again to
    name the problem (its messages and lines are the clearer ones), under the same caps.
    """
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise YamlProblem(
            "the text is not valid Unicode (an unpaired surrogate); save the file as UTF-8",
            text.count("\n", 0, error.start) + 1,
        ) from None
    if size > MAX_YAML_BYTES:
        raise YamlProblem(f"file is larger than {MAX_YAML_BYTES} bytes", None)
    try:
        return _load_with(LOADERS[parser], text)
    except _SyntaxProblem as problem:
        if parser == "python":
            raise YamlProblem(str(problem), problem.line) from None
        try:
            _load_with(LOADERS["python"], text)
        except _SyntaxProblem as clearer:
            raise YamlProblem(str(clearer), clearer.line) from None
        raise YamlProblem(str(problem), problem.line) from None


class _SyntaxProblem(YamlProblem):
    """A parser's refusal, before the pure-Python parser was asked to name it."""


def _load_with(loader_class: type[_NoAliasLoader], text: str) -> Any:
    try:
        loader = loader_class(text)  # the pure-Python reader checks every character here
    except yaml.reader.ReaderError as error:
        raise _reader_problem(error, text) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node)
    except YamlProblem as problem:  # e.g. an alias, which an unquoted '*GET /x' also is
        hint = _quoting_hint(text, [problem.line])
        if not hint:
            raise
        raise type(problem)(f"{problem}{hint}", problem.line) from None
    except yaml.reader.ReaderError as error:  # libyaml reports it while parsing
        raise _SyntaxProblem(str(_reader_problem(error, text)), _reader_problem(error, text).line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = error.problem or error.context or "invalid YAML"
        marks = [m.line + 1 for m in (error.problem_mark, error.context_mark) if m is not None]
        raise _SyntaxProblem(f"invalid YAML: {what}{_quoting_hint(text, marks)}", line) from None
    except yaml.YAMLError as error:
        raise _SyntaxProblem(f"invalid YAML: {error}", None) from None
    finally:
        loader.dispose()  # type: ignore[attr-defined]  # the parser class's


def located(source: str, line: int | None, message: str) -> str:
    """``file:line: message`` (``file: message`` when the line is unknown), as every load error reads."""
    return f"{source}:{line}: {message}" if line else f"{source}: {message}"


def suggest_key(key: str, known: Iterable[str]) -> str:
    """``; did you mean 'scopes'?``, or the allowed keys when nothing is close."""
    known = list(known)
    close = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed keys: {', '.join(known)}"


def load_versioned_list(
    text: str, *, version: int, list_key: str, keys: Iterable[str]
) -> tuple[LineDict, LineList]:
    """A document ``{version: N, <list_key>: [...]}`` with only ``keys`` at the top.

    Raise :class:`YamlProblem` naming the line and the fix.
    """
    keys = tuple(keys)
    document = load_yaml(text)
    if not isinstance(document, LineDict):
        raise YamlProblem(f"must be a mapping with 'version: {version}' and '{list_key}:'", None)
    for key in document:
        if key not in keys:
            raise YamlProblem(
                f"unknown top-level key '{key}'{suggest_key(key, keys)}", document.key_lines[key]
            )
    found = document.get("version")
    if found != version or isinstance(found, bool):
        raise YamlProblem(
            f"'version' must be {version} (found {found!r})",
            document.key_lines.get("version", document.line),
        )
    items = document.get(list_key)
    if not isinstance(items, LineList) or not items:
        raise YamlProblem(
            f"'{list_key}' must be a non-empty list", document.key_lines.get(list_key, document.line)
        )
    return document, items
