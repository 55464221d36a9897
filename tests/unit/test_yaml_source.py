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


# (document, line, the hint's end): an unquoted route that starts with a YAML indicator
UNQUOTED_ROUTES = [
    ("rules:\n  - route: * /reports/{id}\n    deny: true\n", 2,
     "a route that starts with '*' must be quoted (YAML reads '*' as an alias): route: \"* /reports/{id}\""),
    ("rules:\n  - route: *GET /x\n    deny: true\n", 2,
     "a route that starts with '*' must be quoted (YAML reads '*' as an alias): route: \"*GET /x\""),
    ("rules:\n  - route: ? /x\n    deny: true\n", 2,
     "a route that starts with '?' must be quoted (YAML reads '?' as a mapping key): route: \"? /x\""),
    ("rules:\n  - route: {GET} /x\n    deny: true\n", 2,
     "a route that starts with '{' must be quoted (YAML reads '{' as the start of a mapping): route: \"{GET} /x\""),
    ("rules:\n  - route: [GET, POST] /x\n    deny: true\n", 2,
     "a route that starts with '[' must be quoted (YAML reads '[' as the start of a list): route: \"[GET, POST] /x\""),
    ("rules:\n  - route: !GET /x\n    deny: true\n", 2,
     "a route that starts with '!' must be quoted (YAML reads '!' as a tag): route: \"!GET /x\""),
    ("rules:\n  - {route: * /x, deny: true}\n", 2,
     "a route that starts with '*' must be quoted (YAML reads '*' as an alias): route: \"* /x\""),
    ("clients:\n  - allowed: [GET /a, * /x]\n", 2,
     "a route that starts with '*' must be quoted (YAML reads '*' as an alias): \"* /x\""),
    ("clients:\n  - allowed:\n      - * /orders/{id}\n", 3,
     "a route that starts with '*' must be quoted (YAML reads '*' as an alias): \"* /orders/{id}\""),
]


@pytest.mark.parametrize(("text", "line", "hint"), UNQUOTED_ROUTES)
@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_an_unquoted_route_starting_with_an_indicator_is_refused_with_the_quoted_fix(
    text: str, line: int, hint: str, parser: str
) -> None:
    # GIVEN a route whose first character YAML reads as syntax
    # WHEN it is loaded
    with pytest.raises(YamlProblem) as refused:
        load_yaml(text, parser=parser)
    # THEN the refusal names the line and ends with the route, quoted
    assert refused.value.line == line
    assert str(refused.value).endswith("; " + hint), str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        "rules:\n  - route: \"* /x\"\n   deny: true\n",  # a bad indent under a quoted route
        "rules:\n  - route: GET /orders/*\n   deny: true\n",  # a '*' inside the path
        "a: [/x, /y\nb: 1\n",  # an unclosed list of paths
    ],
)
def test_other_syntax_errors_get_no_quoting_hint(text: str) -> None:
    with pytest.raises(YamlProblem) as refused:
        load_yaml(text)
    assert str(refused.value).startswith("invalid YAML: ")
    assert "must be quoted" not in str(refused.value)
