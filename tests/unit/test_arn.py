"""authorizer.arn: method ARNs parsed on the first five colons, prefix validated strictly."""

from __future__ import annotations

import pytest

from authorizer.arn import parse_method_arn
from authorizer.errors import BadMethodArn

PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"


@pytest.mark.parametrize(
    "suffix, method, path",
    [
        ("/GET/hello", "GET", "/hello"),
        ("/GET/", "GET", "/"),
        ("/GET", "GET", "/"),
        ("/POST/orders/1/refunds", "POST", "/orders/1/refunds"),
        ("/GET/a:b/c:d", "GET", "/a:b/c:d"),
        ("/GET/files/%20x/", "GET", "/files/%20x/"),
    ],
)
def test_parse_method_arn_keeps_the_actual_path(suffix: str, method: str, path: str) -> None:
    parsed = parse_method_arn(PREFIX + suffix)
    assert (parsed.method, parsed.path, parsed.api.prefix) == (method, path, PREFIX)
    assert parsed.arn == PREFIX + "/" + method + path


@pytest.mark.parametrize(
    "arn",
    [
        None,
        "",
        "arn:aws:lambda:eu-west-1:123456789012:function/x",
        "arn:aws:execute-api:eu-west-1:123456789012:abc123",
        "arn:aws:execute-api:eu-west-1:12345:abc123/Dev/GET/x",
        "arn:aws:execute-api:eu-west-1:123456789012:*/Dev/GET/x",
        "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/x",
        "arn:aws:execute-api:*:123456789012:abc123/Dev/GET/x",
        "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/get/x",
    ],
)
def test_parse_method_arn_refuses_what_api_gateway_never_sends(arn: object) -> None:
    with pytest.raises(BadMethodArn):
        parse_method_arn(arn)


def test_a_remembered_api_stage_still_checks_each_verb_and_refuses_bad_stages_every_time() -> None:
    # GIVEN a stage parsed once WHEN a later ARN on it has a bad verb, or a bad stage comes twice
    good = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/a"
    assert parse_method_arn(good).api is parse_method_arn(good.replace("/a", "/b")).api
    with pytest.raises(BadMethodArn, match="invalid verb"):
        parse_method_arn(good.replace("/GET/", "/get/"))
    for _ in range(2):
        with pytest.raises(BadMethodArn, match="invalid stage"):
            parse_method_arn(good.replace("/Dev/", "/D*v/"))
