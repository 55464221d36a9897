"""Load a YAML file into plain values that remember their line numbers (pure).

Used for policies/rules.yaml and its test tables. Stricter than ``safe_load``:

* anchors and aliases are refused (they have no use in a rules file, and they
  are how YAML bombs expand a small file into millions of nodes);
* duplicate mapping keys are refused (``safe_load`` silently keeps the last);
* mapping keys must be strings;
* the text and the node count are capped, so time and memory stay bounded.

Events come from libyaml (PyYAML's C parser) when PyYAML was built with it, so a
1,000-rule file parses in milliseconds; composing stays in Python, where the
alias check lives. The pure-Python parser is the fallback, with the same checks.

Mappings come back as :class:`LineDict` and sequences as :class:`LineList`,
which carry ``line`` (1-based) and the lines of their keys or items.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 200_000


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

    def __init__(self, stream: str) -> None:
        self.parser_class.__init__(self, stream)  # type: ignore[attr-defined]
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def get_single_node(self) -> Any:
        return Composer.get_single_node(self)  # a C parser's own composer would skip compose_node

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                "anchors and aliases (&name, *name) are not allowed; write the values out",
                event.start_mark.line + 1,
            )
        return Composer.compose_node(self, parent, index)


def _loader_class(parser: type) -> type[_NoAliasLoader]:
    return type(f"NoAliasLoader_{parser.__name__}", (_NoAliasLoader, parser), {"parser_class": parser})


LOADERS = {"libyaml": _loader_class(_fastest_parser()), "python": _loader_class(_PythonParser)}


def _convert(loader: _NoAliasLoader, node: yaml.Node, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(f"more than {MAX_YAML_NODES} YAML nodes", node.start_mark.line + 1)
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line = line
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, budget)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise YamlProblem(f"mapping key {key!r} is not a string", key_line)
            if key in result:
                raise YamlProblem(
                    f"key '{key}' appears twice in one mapping (first on line "
                    f"{result.key_lines[key]}); keep one",
                    key_line,
                )
            result[key] = _convert(loader, value_node, budget)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LineList()
        items.line = line
        items.item_lines = []
        for item in node.value:
            items.append(_convert(loader, item, budget))
            items.item_lines.append(item.start_mark.line + 1)
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, *, parser: str = "libyaml") -> Any:
    """Parse one YAML document; raise :class:`YamlProblem` with a line number.

    ``parser`` picks libyaml (the pure-Python parser when PyYAML lacks it) or ``"python"``.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlProblem(f"file is larger than {MAX_YAML_BYTES} bytes", None)
    loader = LOADERS[parser](text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, [MAX_YAML_NODES])
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
