"""The deployed stack and Auth0, as the live tests see them: outputs, tokens, HTTP calls.

Everything comes from the environment (README.md, "Deploy" > "Test the deployed stack"):

| variable | meaning |
|---|---|
| ``AWS_SAM_STACK_NAME`` | the stack `sam deploy` created (its outputs give the API URL, issuer, audience) |
| ``AWS_REGION`` / ``AWS_PROFILE`` ... | the usual boto3 settings, for CloudFormation and CloudWatch Logs reads |
| ``SCOPEGATE_LIVE_READER_ID`` / ``_SECRET`` | an Auth0 M2M client granted ``read:hello`` |
| ``SCOPEGATE_LIVE_OUTSIDER_ID`` / ``_SECRET`` | a client authorized for the API but not granted ``read:hello`` |
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

CLIENT_VARIABLES = {
    "reader": ("SCOPEGATE_LIVE_READER_ID", "SCOPEGATE_LIVE_READER_SECRET"),
    "outsider": ("SCOPEGATE_LIVE_OUTSIDER_ID", "SCOPEGATE_LIVE_OUTSIDER_SECRET"),
}
REQUIRED_VARIABLES = ("AWS_SAM_STACK_NAME", *(name for pair in CLIENT_VARIABLES.values() for name in pair))
TIMEOUT_SECONDS = 15


def missing_variables(env: dict[str, str]) -> list[str]:
    return [name for name in REQUIRED_VARIABLES if not env.get(name, "").strip()]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # parsed JSON, or the raw text when it is not JSON


@dataclass(frozen=True)
class Token:
    client: str
    value: str

    @property
    def claims(self) -> dict[str, Any]:
        """The payload, read without verification: the test only learns what Auth0 granted."""
        payload = self.value.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    @property
    def scopes(self) -> frozenset[str]:
        claims = self.claims
        return frozenset(claims.get("scope", "").split()) | frozenset(claims.get("permissions", []))


@dataclass(frozen=True)
class Stack:
    name: str
    outputs: dict[str, str]

    @classmethod
    def describe(cls, name: str) -> Stack:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
        return cls(name, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})

    @property
    def api_url(self) -> str:
        return self.outputs["ApiUrl"].rstrip("/")

    def token_for(self, client: str, env: dict[str, str]) -> Token:
        id_variable, secret_variable = CLIENT_VARIABLES[client]
        body = json.dumps({
            "grant_type": "client_credentials",
            "client_id": env[id_variable],
            "client_secret": env[secret_variable],
            "audience": self.outputs["Audience"],
        }).encode()
        answer = post_json(self.outputs["TokenIssuer"] + "oauth/token", body)
        if answer.status != 200:
            raise AssertionError(f"Auth0 refused a token to {client} ({id_variable}): {answer.status} {answer.body}")
        return Token(client, answer.body["access_token"])

    def call(self, method: str, path: str, authorization: str | None) -> Answer:
        headers = {"Authorization": authorization} if authorization is not None else {}
        data = b"{}" if method in {"POST", "PUT", "PATCH"} else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        return send(urllib.request.Request(self.api_url + path, data=data, method=method, headers=headers))


def post_json(url: str, body: bytes) -> Answer:
    return send(urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"}))


def send(request: urllib.request.Request) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode("utf-8", "replace")
    try:
        return Answer(status, json.loads(text))
    except json.JSONDecodeError:
        return Answer(status, text)
