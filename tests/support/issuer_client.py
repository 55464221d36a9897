"""Calls to the local issuer's token endpoint, as a client would make them."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from tests.support.local_stack import HttpResult, http

LOCAL_API = "https://api.scopegate.local"
SECRETS = {
    "demo-reader": "demo-reader-secret",
    "demo-writer": "demo-writer-secret",
    "demo-rfc9068": "demo-rfc9068-secret",
    "orders-reader": "demo-orders-reader-secret",
    "orders-writer": "demo-orders-writer-secret",
    "orders-admin": "demo-orders-admin-secret",
    "partner-acme": "demo-partner-acme-secret",
}


def request_token(
    issuer_url: str,
    client_id: str,
    client_secret: str | None = None,
    audience: str | None = LOCAL_API,
    scope: str | None = None,
    how: str = "form",
    organization: str | None = None,
) -> HttpResult:
    """POST /oauth/token with the secret in a form body, a JSON body or HTTP Basic."""
    secret = SECRETS.get(client_id, "") if client_secret is None else client_secret
    fields = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if audience is not None:
        fields["audience"] = audience
    if scope is not None:
        fields["scope"] = scope
    if organization is not None:
        fields["organization"] = organization
    headers = {}
    if how == "basic":
        del fields["client_id"], fields["client_secret"]
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    if how == "json":
        headers["Content-Type"] = "application/json"
        body = json.dumps(fields).encode()
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(fields).encode()
    return http("POST", issuer_url + "oauth/token", headers, body)


def token_for(issuer_url: str, client_id: str, **kwargs: str) -> str:
    answer = request_token(issuer_url, client_id, **kwargs)
    assert answer.status == 200, answer.body
    return str(answer.json()["access_token"])
