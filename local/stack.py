"""The whole local stack: issuer + gateway (+ a rules watcher), started and stopped together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dataclasses import replace as replace_spec

from authorizer.sam_template import load_template
from local.dynamodb import LocalDynamoDB, point_functions_at, template_tables
from local.gateway.events import LOCAL_REGION
from local.gateway.functions import FunctionPool
from local.gateway.gateway import Gateway
from local.gateway.server import GatewayServer
from local.issuer.directory import load_directory
from local.issuer.keyring import KeyRing
from local.issuer.runner import IssuerServer
from local.issuer.server import JWKS_PATH, create_issuer_app
from local.ports import DYNAMODB, GATEWAY, ISSUER
from local.watcher import FileWatcher

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AUDIENCE = "https://api.scopegate.local"
log = logging.getLogger("local")


@dataclass
class StackConfig:
    template: Path = REPO_ROOT / "template.yaml"
    clients: Path = REPO_ROOT / "local" / "clients.yaml"
    rules: Path | None = REPO_ROOT / "policies" / "rules.yaml"
    host: str = "127.0.0.1"
    gateway_port: int = GATEWAY.default
    issuer_port: int = ISSUER.default
    dynamodb_port: int = DYNAMODB.default  # moto's server, started when the template declares tables
    audience: str = DEFAULT_AUDIENCE
    parameter_overrides: Mapping[str, str] | None = None


class Stack:
    """Start with :meth:`start`; ``issuer_url``/``gateway_url`` are set once it runs."""

    def __init__(self, config: StackConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.keys = KeyRing.generate()
        self._clock = clock
        self.issuer: IssuerServer | None = None
        self.server: GatewayServer | None = None
        self.watcher: FileWatcher | None = None
        self.dynamodb: LocalDynamoDB | None = None

    @property
    def gateway(self) -> Gateway:
        assert self.server is not None
        return self.server.gateway

    def start(self) -> Stack:
        try:
            return self._start()
        except BaseException:
            self.stop()  # e.g. the gateway port is taken: do not leave the issuer running
            raise

    def _start(self) -> Stack:
        cfg = self.config
        directory = load_directory(cfg.clients)
        self.issuer = IssuerServer(
            lambda url: create_issuer_app(directory, self.keys, url), cfg.host, cfg.issuer_port
        ).start()
        self.issuer_url = self.issuer.url
        overrides = {
            "TokenIssuer": self.issuer_url,
            "Audience": cfg.audience,
            "JwksUri": self.issuer_url.rstrip("/") + JWKS_PATH,
            **(cfg.parameter_overrides or {}),
        }
        app = load_template(cfg.template, overrides)
        if template_tables(cfg.template):
            self.dynamodb = LocalDynamoDB(cfg.template, cfg.host, cfg.dynamodb_port, LOCAL_REGION).start()
            app = replace_spec(app, functions=point_functions_at(app.functions, self.dynamodb.url))
        pool = FunctionPool(app.functions, cfg.template.parent, LOCAL_REGION)
        self.server = GatewayServer(Gateway(app, pool, self._clock), cfg.host, cfg.gateway_port).start()
        stage = next(iter(app.apis.values())).stage if app.apis else "Prod"
        self.gateway_url = f"http://{cfg.host}:{self.server.port}/{stage}"
        if cfg.rules is not None:
            self.watcher = FileWatcher(cfg.rules, self._rules_changed).start()
        return self

    def _rules_changed(self) -> None:
        log.warning("%s changed: authorizer restarted, result cache cleared", self.config.rules)
        self.gateway.restart_authorizers()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.server is not None:
            self.server.stop()
        if self.issuer is not None:
            self.issuer.stop()
        if self.dynamodb is not None:
            self.dynamodb.stop()

