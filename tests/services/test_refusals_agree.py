"""A service's 403 is the gateway's 403: same status, body and headers, so clients see one answer.

The gateway's answer is what local/gateway renders from template.yaml's GatewayResponses
(ACCESS_DENIED), as API Gateway does. API Gateway adds ``x-amzn-RequestId`` to every answer,
the service's included, and ``x-amzn-ErrorType`` only to its own: those two say which of the two
refused, for whoever reads the logs, and are the only difference allowed.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from scopegate_tools.sam_template import load_template
from local.gateway.gateway_response import ACCESS_DENIED, gateway_answer
from tests.support.proxy_events import proxy_event

REPO = Path(__file__).resolve().parents[2]
GATEWAY_ONLY_HEADERS = {"x-amzn-requestid", "x-amzn-errortype"}


def gateway_refusal() -> tuple[int, dict[str, str], bytes]:
    (api,) = load_template(REPO / "template.yaml").apis.values()
    answer = gateway_answer(ACCESS_DENIED, api.gateway_responses, "request-1", {})
    headers = {name: value for name, value in answer.headers if name.lower() not in GATEWAY_ONLY_HEADERS}
    return answer.status, headers, answer.body


def test_the_orders_service_refuses_with_exactly_the_gateways_access_denied(orders: ModuleType) -> None:
    # GIVEN a reader on POST /orders, which the service's re-check refuses
    response = orders.lambda_handler(proxy_event("POST", "/orders", authorizer="reader", body="{}"), None)

    # THEN status, headers and body are what API Gateway answers for ACCESS_DENIED
    headers = {name: values[-1] for name, values in response["multiValueHeaders"].items()}
    service = (response["statusCode"], headers, response["body"].encode())
    assert service == gateway_refusal()


def test_the_gateways_refusal_is_the_rfc6750_insufficient_scope_answer() -> None:
    assert gateway_refusal() == (
        403,
        {"Content-Type": "application/json", "WWW-Authenticate": 'Bearer realm="scopegate", error="insufficient_scope"'},
        b'{"message":"Forbidden","error":"insufficient_scope"}',
    )
