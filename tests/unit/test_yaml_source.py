"""authorizer.yaml_source: libyaml and the pure-Python parser give the same values, lines and refusals."""

from __future__ import annotations

import pytest

from authorizer.yaml_source import LineDict, YamlProblem, load_yaml

DOCUMENTS = [
    "version: 1\nrules:\n  - route: GET /a\n    scopes: [x, y]\n  - route: '* /b'\n    deny: true\n",
    "a: 1\nb:\n  - c\n  - {d: e}\n",
    "",
]
# (document, line of the refusal, words of the message), identical for both parsers
REFUSED = [
    ("a: 1\na: 2\n", 2, "appears twice"),
    ("x: &a 1\ny: *a\n", 1, "anchors and aliases"),
    ("a: 1\n? [1]\n: 2\n", 2, "is not a string"),
    ("a: 1\n---\nb: 2\n", 2, "invalid YAML"),
]


def lines_of(value):
    if isinstance(value, LineDict):
        return (value.line, value.key_lines, {k: lines_of(v) for k, v in value.items()})
    if isinstance(value, list):
        return (value.line, value.item_lines, [lines_of(v) for v in value])
    return value


@pytest.mark.parametrize("text", DOCUMENTS)
def test_both_parsers_give_equal_values_with_equal_lines(text: str) -> None:
    fast, python = load_yaml(text), load_yaml(text, parser="python")
    assert fast == python
    assert lines_of(fast) == lines_of(python)


@pytest.mark.parametrize(("text", "line", "words"), REFUSED)
@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_both_parsers_refuse_the_same_documents_on_the_same_line(text, line, words, parser) -> None:
    with pytest.raises(YamlProblem, match=words) as refused:
        load_yaml(text, parser=parser)
    assert refused.value.line == line


@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_syntax_errors_name_their_line_in_both_parsers(parser: str) -> None:
    with pytest.raises(YamlProblem, match="^invalid YAML: ") as refused:
        load_yaml("a:\n\tb: 1\n", parser=parser)
    assert refused.value.line == 2
