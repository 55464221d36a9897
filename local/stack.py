"""The whole local stack: issuer + gateway (+ DynamoDB), started, reloaded and stopped together.

A watcher reloads the three files the stack reads when their content changes:

* template.yaml: a new gateway (routes, authorizer, functions in fresh workers, an empty result
  cache) serves the next requests; the DynamoDB tables cannot change without a restart;
* clients.yaml: the issuer serves the new tenant (the signing keys stay, so tokens stay valid);
* rules.yaml: checked at once, then the authorizer is restarted (it reads the rules at cold start).

With ``custom_domain``, the issuer also answers as the tenant's custom domain, a second issuer at
``<issuer>login/`` (same tenant, same signing keys, its own ``iss``, as Auth0 issues tokens with
the ``iss`` of the domain asked), and the authorizer trusts both through an issuers file the stack
writes (template parameter ``IssuersFile``) instead of ``TokenIssuer``/``Audience``/``JwksUri``.

A file that does not load is reported at once with its ``file:line:`` message, and changes nothing:
the stack keeps serving what it served.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import replace as replace_spec
from pathlib import Path
from typing import Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from authorizer.errors import RulesError
from authorizer.rules import load_rules
from scopegate_tools.sam_template import SamApplication, TemplateError, load_template
from local.dynamodb import LocalDynamoDB, point_functions_at, template_tables
from local.gateway.events import LOCAL_REGION
from local.gateway.functions import FunctionPool
from local.gateway.gateway import Gateway, check_identity_sources
from local.gateway.server import GatewayServer
from local.issuer.directory import Directory, DirectoryError, load_directory
from local.issuer.discovery import JWKS_PATH
from local.issuer.keyring import KeyRing
from local.issuer.runner import IssuerServer
from local.issuer.server import create_issuer_app
from local.ports import DYNAMODB, GATEWAY, ISSUER
from local.watcher import FileWatcher

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AUDIENCE = "https://api.scopegate.local"
CUSTOM_DOMAIN_PATH = "/login"  # where the issuer also answers as the tenant's custom domain
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
    custom_domain: bool = False  # a second issuer at <issuer>login/, trusted beside the first
    watch: bool = True  # reload the files on change (tests call Stack.watcher.check() themselves)
    reload_interval_seconds: float = 0.5


class TablesChanged(ValueError):
    """A reloaded template declares other DynamoDB tables than the running stack created."""


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
        self._tables: dict[str, dict[str, Any]] = {}
        self.custom_domain_url: str | None = None  # the second issuer's iss, with custom_domain
        self.issuers_file: Path | None = None  # written for the authorizer, with custom_domain

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
        if cfg.rules is not None:
            load_rules(cfg.rules)  # a broken rules file stops the start, as it would every request
        self.issuer = IssuerServer(lambda url: self._issuer_app(directory, url), cfg.host, cfg.issuer_port).start()
        self.issuer_url = self.issuer.url
        if cfg.custom_domain:
            self.custom_domain_url = self.issuer_url + CUSTOM_DOMAIN_PATH.strip("/") + "/"
            self.issuers_file = self._write_issuers_file()
        app = self._load_application()
        self._tables = template_tables(cfg.template)
        if self._tables:
            self.dynamodb = LocalDynamoDB(cfg.template, cfg.host, cfg.dynamodb_port, LOCAL_REGION).start()
        self.server = GatewayServer(self._new_gateway(app), cfg.host, cfg.gateway_port).start()
        self.gateway_url = self._gateway_url(app)
        watched: dict[Path, Callable[[], None]] = {
            cfg.template: self.reload_template,
            cfg.clients: self.reload_clients,
        }
        if cfg.rules is not None:
            watched[cfg.rules] = self.reload_rules
        self.watcher = FileWatcher(watched, cfg.reload_interval_seconds)
        if cfg.watch:
            self.watcher.start()
        return self

    # -- what the files turn into ----------------------------------------------------------------
    def _issuer_app(self, directory: Directory, url: str) -> Any:
        """The tenant at ``url``; with custom_domain, also at ``url`` + login/ as its second issuer."""
        app = create_issuer_app(directory, self.keys, url)
        if not self.config.custom_domain:
            return app
        custom = create_issuer_app(directory, self.keys, url + CUSTOM_DOMAIN_PATH.strip("/") + "/")
        return DispatcherMiddleware(app, {CUSTOM_DOMAIN_PATH: custom})

    def _write_issuers_file(self) -> Path:
        """The issuers file that makes the authorizer trust the tenant and its custom domain."""
        folder = Path(tempfile.mkdtemp(prefix="scopegate-local-"))
        path = folder / "issuers.yaml"
        path.write_text(
            "version: 1\nissuers:\n"
            + "".join(
                f"  - issuer: {issuer}\n    audiences: [{self.config.audience}]\n    description: {what}\n"
                for issuer, what in ((self.issuer_url, "the local tenant"), (self.custom_domain_url, "its custom domain"))
            ),
            encoding="utf-8",
        )
        return path

    def _load_application(self) -> SamApplication:
        """template.yaml with the authorizer pointed at the local issuer (raises TemplateError)."""
        if self.issuers_file is not None:
            trust = {"IssuersFile": str(self.issuers_file), "TokenIssuer": "", "Audience": "", "JwksUri": ""}
        else:
            trust = {
                "TokenIssuer": self.issuer_url,
                "Audience": self.config.audience,
                "JwksUri": self.issuer_url.rstrip("/") + JWKS_PATH,
            }
        app = load_template(self.config.template, {**trust, **(self.config.parameter_overrides or {})})
        check_identity_sources(app)
        return app

    def _new_gateway(self, app: SamApplication) -> Gateway:
        if self.dynamodb is not None:
            app = replace_spec(app, functions=point_functions_at(app.functions, self.dynamodb.url))
        pool = FunctionPool(app.functions, self.config.template.parent, LOCAL_REGION)
        return Gateway(app, pool, self._clock)

    def _gateway_url(self, app: SamApplication) -> str:
        assert self.server is not None
        stage = next(iter(app.apis.values())).stage if app.apis else "Prod"
        return f"http://{self.config.host}:{self.server.port}/{stage}"

    # -- reloads (the watcher's thread calls them, one at a time) ----------------------------------
    def reload_template(self) -> None:
        path = self.config.template
        try:
            app = self._load_application()
            tables = template_tables(path)
            if tables != self._tables:
                raise TablesChanged(
                    f"{path}: the DynamoDB tables changed; stop the stack and start it again to "
                    "create them (moto's tables are made at start)"
                )
        except (TemplateError, TablesChanged) as error:
            log.error("%s -- not applied: the gateway keeps serving the previous template", error)
            return
        except Exception as error:  # noqa: BLE001 - sam_template or cfn-lint refusing in words of their own
            log.error("%s: cannot load (%s: %s) -- not applied: the gateway keeps serving the previous "
                      "template", path, type(error).__name__, error)
            return
        assert self.server is not None
        previous = self.server.replace_gateway(self._new_gateway(app))
        previous.functions.close()
        self.gateway_url = self._gateway_url(app)
        log.warning("%s reloaded: %d routes at %s/, functions restarted, result cache cleared",
                    path, len(app.routes), self.gateway_url)

    def reload_clients(self) -> None:
        path = self.config.clients
        try:
            directory = load_directory(path)
        except DirectoryError as error:
            log.error("%s -- not applied: the issuer keeps the previous clients", error)
            return
        assert self.issuer is not None
        self.issuer.serve(self._issuer_app(directory, self.issuer_url))
        log.warning("%s reloaded: %d clients, %d APIs (same signing keys: issued tokens stay valid)",
                    path, len(directory.clients), len(directory.apis))

    def reload_rules(self) -> None:
        path = self.config.rules
        assert path is not None
        try:
            load_rules(path)
        except RulesError as error:
            log.error("%s -- not applied: the authorizer is not restarted, a warm one keeps the previous "
                      "rules (a cold start would refuse every request with 500 until the file loads)", error)
            return
        self.gateway.restart_authorizers()
        log.warning("%s changed: authorizer restarted, result cache cleared", path)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.server is not None:
            self.server.stop()
        if self.issuer is not None:
            self.issuer.stop()
        if self.dynamodb is not None:
            self.dynamodb.stop()
        if self.issuers_file is not None:
            shutil.rmtree(self.issuers_file.parent, ignore_errors=True)
