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

Mappings come back as :class:`LineDict` and sequences as :class:`LineList`,
which carry ``line`` (1-based) and the lines of their keys or items.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import yaml

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


class _NoAliasLoader(yaml.SafeLoader):
    depth = 0
    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
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
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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


def load_yaml(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlProblem` with a line number."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlProblem(f"file is larger than {MAX_YAML_BYTES} bytes", None)
    try:
        loader = _NoAliasLoader(text)  # the reader checks every character here, at once
    except yaml.reader.ReaderError as error:
        raise YamlProblem(
            f"invalid YAML: character U+{error.character:04X} is not allowed (control and non-printable characters are not)",
            text.count("\n", 0, error.position) + 1,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise YamlProblem(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"invalid YAML: {error}", None) from None
    finally:
        loader.dispose()


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
