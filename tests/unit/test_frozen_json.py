"""authorizer.frozen_json: a memo's documents cannot change, and each copy is the caller's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from authorizer.frozen_json import freeze_json, thaw_json

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ["arn:a/Dev/GET/orders/*"]},
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": ["arn:a/Dev/*/admin/*", "arn:a/Dev/GET/x"]},
    ],
}
ODD_SHAPES = {"empty": {}, "none": [], "nested": [[], [{}], [1, [2.5, None]]], "flags": [True, False], "n": 3}


@pytest.mark.parametrize("document", [POLICY, ODD_SHAPES, [], "text", 7, None])
def test_thaw_gives_back_an_equal_document_with_the_same_json(document: Any) -> None:
    thawed = thaw_json(freeze_json(document))
    assert thawed == document
    assert json.dumps(thawed) == json.dumps(document)


def test_the_frozen_form_holds_no_list_or_dict_and_is_hashable() -> None:
    frozen = freeze_json(POLICY)
    hash(frozen)  # only immutable values all the way down
    assert "[" not in repr(frozen) and "{" not in repr(frozen)


def test_a_thawed_copy_shares_nothing_with_the_next_one() -> None:
    # GIVEN one frozen policy and a copy its holder edits everywhere
    frozen = freeze_json(POLICY)
    edited = thaw_json(frozen)
    edited["Statement"][0]["Resource"].append("arn:a/Dev/*/*")
    edited["Statement"][1]["Effect"] = "Allow"
    edited["Statement"].append({"Effect": "Allow"})
    edited["Version"] = "tampered"
    # THEN the next copy is the original document
    assert thaw_json(frozen) == POLICY


def test_freezing_copies_so_later_edits_of_the_source_do_not_reach_the_frozen_form() -> None:
    source = json.loads(json.dumps(POLICY))
    frozen = freeze_json(source)
    source["Statement"][0]["Resource"].clear()
    assert thaw_json(frozen) == POLICY


@pytest.mark.parametrize("value", [{"a": {1, 2}}, [object()], {1: "not a name"}, ("a tuple",)])
def test_freeze_refuses_what_is_not_json(value: Any) -> None:
    with pytest.raises(TypeError):
        freeze_json(value)
