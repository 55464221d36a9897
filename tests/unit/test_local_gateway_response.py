"""local.gateway.gateway_response: API Gateway's default and customised gateway responses."""

from __future__ import annotations

from local.gateway import gateway_response as gr


def test_default_access_denied_has_capital_message_and_error_type() -> None:
    answer = gr.gateway_answer(gr.ACCESS_DENIED_EXPLICIT, {}, "rid", {})
    assert answer == gr.HttpAnswer(
        403,
        (("Content-Type", "application/json"), ("x-amzn-RequestId", "rid"), ("x-amzn-ErrorType", "AccessDeniedException")),
        b'{"Message":"User is not authorized to access this resource with an explicit deny"}',
    )


def test_default_authorizer_configuration_error_has_null_message() -> None:
    answer = gr.gateway_answer(gr.AUTHORIZER_CONFIGURATION_ERROR, {}, "rid", {})
    assert (answer.status, answer.body) == (500, b'{"message":null}')
    assert ("x-amzn-ErrorType", "AuthorizerConfigurationException") in answer.headers


def test_customised_response_sets_status_headers_and_template() -> None:
    responses = {
        "UNAUTHORIZED": {
            "StatusCode": 401,
            "ResponseParameters": {
                "Headers": {"WWW-Authenticate": "'Bearer'", "X-Echo": "method.request.header.x-trace"}
            },
            "ResponseTemplates": {"application/json": '{"m":$context.error.messageString,"id":"$context.requestId"}'},
        }
    }
    answer = gr.gateway_answer(gr.UNAUTHORIZED, responses, "rid", {"X-Trace": "t1"})
    assert answer.status == 401
    assert answer.headers[-2:] == (("WWW-Authenticate", "Bearer"), ("X-Echo", "t1"))
    assert answer.body == b'{"m":"Unauthorized","id":"rid"}'


def test_default_5xx_customisation_applies_to_an_unlisted_5xx_type_keeping_its_status() -> None:
    responses = {"DEFAULT_5XX": {"StatusCode": 599, "ResponseTemplates": {"application/json": '{"e":$context.error.messageString}'}}}
    answer = gr.gateway_answer(gr.AUTHORIZER_CONFIGURATION_ERROR, responses, "rid", {})
    assert (answer.status, answer.body) == (500, b'{"e":null}')
