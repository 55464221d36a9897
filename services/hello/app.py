"""The article's hello service: GET /hello answers {"message": "hello world"}.

It logs who called, from the authorizer's context (scopegate_context). It requires that context
(a route deployed without the authorizer answers 500) but leaves scopes to the gateway's rules
(``gateway_only`` in scopes.toml), so granting a client GET /hello in policies/rules.yaml takes
effect at once (README walkthrough). The orders service shows the scope re-checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from scopegate_context import current_principal, require_declared_scopes

logger = Logger()
app = APIGatewayRestResolver()
app.use(middlewares=[require_declared_scopes(Path(__file__).parent)])


@app.get("/hello")
def hello() -> dict[str, str]:
    logger.info("hello", extra=current_principal(app).log_fields())
    return {"message": "hello world"}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
