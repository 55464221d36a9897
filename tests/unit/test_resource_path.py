"""authorizer.resource_path: the one parser of API Gateway resource paths, and matching paths to them."""

from __future__ import annotations

import pytest

from authorizer.resource_path import (
    GREEDY,
    LITERAL,
    PARAMETER,
    ResourcePathProblem,
    Segment,
    parse_resource_path,
)


def test_parse_splits_literals_parameters_and_a_greedy_parameter() -> None:
    parsed = parse_resource_path("/orders/{id}/files/{path+}")
    assert parsed.segments == (
        Segment(LITERAL, "orders"), Segment(PARAMETER, "id"), Segment(LITERAL, "files"), Segment(GREEDY, "path"),
    )
    assert parsed.precedence == (LITERAL, PARAMETER, LITERAL, GREEDY)
    assert parsed.text == "/orders/{id}/files/{path+}"


def test_the_root_has_no_segment_and_matches_only_itself() -> None:
    root = parse_resource_path("/")
    assert (root.segments, root.iam_glob, root.covering_globs) == ((), "/", ("/",))
    assert [root.match(p) for p in ("/", "", "//", "/a")] == [{}, None, None, None]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/orders/42", {"id": "42"}),
        ("/orders/42/", {"id": "42"}),  # one trailing slash
        ("/orders/a:b%2F@c", {"id": "a:b%2F@c"}),
        ("/orders", None),
        ("/orders/", None),  # {id} is never empty
        ("/orders//", None),
        ("/orders/42//", None),
        ("/orders/42/items", None),  # {id} never holds '/'
        ("/orders//42", None),
        ("/Orders/42", None),  # literals are case-sensitive
        ("orders/42", None),
    ],
)
def test_a_parameter_is_one_non_empty_segment(path: str, expected: dict[str, str] | None) -> None:
    assert parse_resource_path("/orders/{id}").match(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/files/a", {"path": "a"}),
        ("/files/a/b/c", {"path": "a/b/c"}),
        ("/files/a/", {"path": "a/"}),
        ("/files/a//b", {"path": "a//b"}),  # inside a greedy parameter, any character
        ("/files/", None),
        ("/files", None),
        ("/files//a", None),  # its first character is not '/'
    ],
)
def test_a_greedy_parameter_takes_the_rest_of_the_path(path: str, expected: dict[str, str] | None) -> None:
    assert parse_resource_path("/files/{path+}").match(path) == expected


@pytest.mark.parametrize(
    ("path", "matches"),
    [("/orders", True), ("/orders/", True), ("/orders//", False), ("/orders/x", False), ("/order", False),
     ("/ordersx", False)],
)
def test_a_literal_path_matches_itself_with_at_most_one_trailing_slash(path: str, matches: bool) -> None:
    assert parse_resource_path("/orders").matches(path) is matches


@pytest.mark.parametrize(
    ("text", "glob", "covering"),
    [
        ("/orders", "/orders", ("/orders", "/orders/")),
        ("/orders/{id}", "/orders/*", ("/orders/*",)),
        ("/orders/{id}/refunds", "/orders/*/refunds", ("/orders/*/refunds", "/orders/*/refunds/")),
        ("/{proxy+}", "/*", ("/*",)),
    ],
)
def test_iam_globs_replace_each_parameter_with_a_star(text: str, glob: str, covering: tuple[str, ...]) -> None:
    parsed = parse_resource_path(text)
    assert (parsed.iam_glob, parsed.covering_globs) == (glob, covering)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("orders", "must start with '/'"),
        ("/orders/", "ends with '/'"),
        ("/orders//{id}", "empty segment"),
        ("/{proxy+}/x", "must be the last segment"),
        ("/a{id}", "must be a whole parameter"),
        ("/{}", "must be a whole parameter"),
        ("/orders/*", "holds a character"),
        ("/orders/a b", "holds a character"),
        ("/" + "a" * 1024, "longer than 1024"),
    ],
)
def test_parse_refuses_what_is_not_a_resource_path(text: str, problem: str) -> None:
    with pytest.raises(ResourcePathProblem, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_resource_path(text)


@pytest.mark.parametrize("value", [None, 7, ["/"], {"a": 1}])
def test_parse_refuses_what_is_not_a_string(value: object) -> None:
    with pytest.raises(ResourcePathProblem, match="must be a string"):
        parse_resource_path(value)


def test_matching_costs_linear_time_on_a_long_path() -> None:
    parsed = parse_resource_path("/a/{b}/c/{d}/e")
    assert parsed.match("/a/" + "x" * 100_000 + "/c/y/e") == {"b": "x" * 100_000, "d": "y"}
    assert parsed.match("/a/" + "/" * 100_000) is None
