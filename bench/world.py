"""What every figure shares: one signing key, a JWKS server on 127.0.0.1, Auth0-shaped tokens.

The key is generated at run time (never committed) and the JWKS is served over loopback, exactly as
the tests do (tests/support). The authorizer under test is the real ``authorizer.app`` module,
configured through the environment as in Lambda.
"""

from __future__ import annotations

import base64
import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.jwks_server import JwksServer, running_jwks_server
from tests.support.keys import SigningKey, rsa_key
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

REPO_ROOT = Path(__file__).resolve().parent.parent
ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod"


def method_arn(method: str, path: str) -> str:
    return f"{ARN_PREFIX}/{method}{path}"


def token_event(token: str, method: str = "GET", path: str = "/hello") -> dict[str, Any]:
    return {"type": "TOKEN", "methodArn": method_arn(method, path), "authorizationToken": f"Bearer {token}"}


def mint_tokens(key: SigningKey, count: int, scope: str = "read:hello", tag: str = "t") -> list[str]:
    """``count`` distinct valid tokens (each with its own ``jti``)."""
    return [mint(key, auth0_claims(scope=scope, jti=f"{tag}-{i}")) for i in range(count)]


def signing_input_and_signature(token: str) -> tuple[bytes, bytes]:
    header, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    return f"{header}.{payload}".encode("ascii"), raw


def authorizer_environment(jwks_url: str, rules_file: Path) -> dict[str, str]:
    return {
        "TOKEN_ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "JWKS_URI": jwks_url,
        "RULES_FILE": str(rules_file),
        "POWERTOOLS_SERVICE_NAME": "scopegate",
    }


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a fresh child process: ours, the repo on the path, no bytecode writes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_LAMBDA", "POWERTOOLS"))}
    env.update(extra)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


@dataclass
class World:
    key: SigningKey
    jwks: JwksServer
    rules_file: Path

    @property
    def environment(self) -> dict[str, str]:
        return authorizer_environment(self.jwks.url, self.rules_file)


@contextmanager
def running_world(rules_file: Path | None = None) -> Iterator[World]:
    key = rsa_key("bench-key-1")
    with running_jwks_server() as server:
        server.serve_keys(key.jwk())
        yield World(key=key, jwks=server, rules_file=rules_file or REPO_ROOT / "policies" / "rules.yaml")


@contextmanager
def configured_app(environment: dict[str, str]) -> Iterator[Any]:
    """``authorizer.app`` on a new container configured by ``environment``; logging to a null sink.

    The decision log and the EMF metrics stay on (every line is formatted); only the streams
    (the logger's and stdout, where the metrics go) are /dev/null.
    """
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    from authorizer import app

    handler = app.logger.registered_handler
    previous_stream = handler.stream
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        handler.setStream(sink)
        app.reset_state()
        try:
            yield app
        finally:
            app.reset_state()
            handler.setStream(previous_stream)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def python_executable() -> str:
    return sys.executable
