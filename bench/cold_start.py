"""Cold start, process start to first decision: scopegate against the minimal PyJWT authorizer.

Each run is a fresh process (bench/cold_child.py) that imports the handler's module, as Lambda's
init does, then decides one token. The JWKS is fetched over TLS from 127.0.0.1, from one of two
servers serving the same keys: ``loopback`` answers at once; ``delayed`` sleeps
:data:`JWKS_DELAY_SECONDS` before answering, standing for the round trips to an issuer that a
Lambda region pays (50-200 ms). The four cases (two authorizers, two servers) alternate, so drift
on this shared machine hits all alike; ratios and differences are taken pair by pair within a round.

Measured on the ``sam build`` artifact (what Lambda runs); the source tree is information.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.cold_site import ARTIFACT_SITE, SOURCE_SITE, ChildSite, child_sites
from bench.cpu_share import CpuShare, lambda_cpu_share
from bench.world import World
from tests.support.jwks_server import Answer, JwksServer, running_jwks_server
from tests.support.minting import AUDIENCE, ISSUER
from tests.support.tls import make_test_tls

JWKS_DELAY_SECONDS = 0.100
SCOPEGATE, MINIMAL = "scopegate", "minimal"
HANDLER_MODULES = {SCOPEGATE: "authorizer.app", MINIMAL: "minimal_authorizer"}
LOOPBACK, DELAYED = "loopback", "delayed"


@dataclass(frozen=True)
class Sample:
    first_decision_ms: float  # the parent's spawn to the child's first response
    interpreter_ms: float  # spawn to the child's first line
    runtime_ms: float  # the runtime's own imports (bench/lambda_runtime.py), before init
    init_ms: float  # the handler module's import (Lambda's init phase)
    invoke_ms: float  # the first invocation
    request_ms: float  # spawn to the JWKS request read by the server (the same monotonic clock)
    modules: dict[str, bool]  # was yaml / jwt imported by the first decision


@dataclass(frozen=True)
class Case:
    authorizer: str
    server: str
    samples: list[Sample]

    def median(self, field: str) -> float:
        return statistics.median(getattr(sample, field) for sample in self.samples)


@dataclass(frozen=True)
class SiteColdStart:
    site: str
    runs: int
    cases: dict[tuple[str, str], Case]  # by (authorizer, server)

    def first_decision_ms(self, authorizer: str, server: str) -> float:
        return self.cases[(authorizer, server)].median("first_decision_ms")

    def request_ms(self, authorizer: str, server: str) -> float:
        return self.cases[(authorizer, server)].median("request_ms")

    def ratio(self, server: str = LOOPBACK) -> float:
        """Median over rounds of scopegate's time over the minimal authorizer's, same round."""
        ours, theirs = self.cases[(SCOPEGATE, server)].samples, self.cases[(MINIMAL, server)].samples
        return statistics.median(a.first_decision_ms / b.first_decision_ms for a, b in zip(ours, theirs))

    def delay_cost_ms(self, authorizer: str) -> float:
        """Median over rounds of (delayed - loopback) for one authorizer: what the 100 ms cost it."""
        slow, fast = self.cases[(authorizer, DELAYED)].samples, self.cases[(authorizer, LOOPBACK)].samples
        return statistics.median(a.first_decision_ms - b.first_decision_ms for a, b in zip(slow, fast))


@dataclass(frozen=True)
class ColdStart:
    sites: dict[str, SiteColdStart]  # ARTIFACT_SITE (when built) and SOURCE_SITE
    delay_ms: float
    at_lambda_share: SiteColdStart | None = None  # the artifact within the template's CPU share
    share: CpuShare | None = None  # that share (or why it could not be set)

    @property
    def measured(self) -> SiteColdStart:
        """The site the goals are judged on: the artifact, or the source tree when there is none."""
        return self.sites.get(ARTIFACT_SITE) or self.sites[SOURCE_SITE]


@dataclass
class ColdWorld:
    """The JWKS servers (TLS on 127.0.0.1) and the sites the children run in."""

    servers: dict[str, JwksServer]
    sites: list[ChildSite]
    token_file: Path

    def settings(self, server: str) -> dict[str, str]:
        return {"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": self.servers[server].url,
                "POWERTOOLS_SERVICE_NAME": "scopegate"}


@contextmanager
def cold_world(world: World, token: str) -> Iterator[ColdWorld]:
    with tempfile.TemporaryDirectory(prefix="scopegate-cold-") as folder, ExitStack() as stack:
        root = Path(folder)
        (root / "tls").mkdir()
        (root / "scratch").mkdir()
        tls = make_test_tls(root / "tls")
        servers = {}
        for name, delay in ((LOOPBACK, 0.0), (DELAYED, JWKS_DELAY_SECONDS)):
            server = stack.enter_context(running_jwks_server(tls.server))
            server.serve_keys(world.key.jwk())
            server.serve(Answer(body=server.answer.body, delay_seconds=delay))
            servers[name] = server
        token_file = root / "token"
        token_file.write_text(token)
        yield ColdWorld(servers, child_sites(root / "scratch", tls.ca_pem), token_file)


def one_cold_start(site: ChildSite, authorizer: str, server: str, cold: ColdWorld,
                   enter: Callable[[], None] | None = None) -> Sample:
    command = site.command("cold_child.py", HANDLER_MODULES[authorizer], str(cold.token_file))
    jwks = cold.servers[server]
    requests_before = len(jwks.arrivals)
    spawned = time.monotonic()
    done = subprocess.run(command, env=site.environment(cold.settings(server)), cwd=site.scratch,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          preexec_fn=enter)
    if done.returncode != 0:
        raise RuntimeError(f"cold start of {authorizer} ({site.name}) failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if not result["allowed"]:
        raise RuntimeError(f"cold start of {authorizer} ({site.name}) did not allow a valid token")
    if len(jwks.arrivals) != requests_before + 1:
        raise RuntimeError(f"cold start of {authorizer} ({site.name}) made {len(jwks.arrivals) - requests_before} "
                           "JWKS requests, not one")
    return Sample(
        first_decision_ms=(result["decided"] - spawned) * 1000,
        interpreter_ms=(result["started"] - spawned) * 1000,
        runtime_ms=(result["bootstrapped"] - result["started"]) * 1000,
        init_ms=(result["initialized"] - result["bootstrapped"]) * 1000,
        invoke_ms=(result["decided"] - result["initialized"]) * 1000,
        request_ms=(jwks.arrivals[-1] - spawned) * 1000,
        modules=result["modules"],
    )


def measure_site(site: ChildSite, cold: ColdWorld, runs: int, authorizers: tuple[str, ...],
                 share: CpuShare | None = None) -> SiteColdStart:
    """Every case of ``authorizers`` x both servers, alternated, ``runs`` times after one warm-up
    each; on a full core, or within ``share`` of one."""
    enter = share.enter if share is not None else None
    keys = [(authorizer, server) for authorizer in authorizers for server in (LOOPBACK, DELAYED)]
    for authorizer, server in keys:  # page cache and bytecode warm; not counted
        one_cold_start(site, authorizer, server, cold, enter)
    samples: dict[tuple[str, str], list[Sample]] = {key: [] for key in keys}
    for _ in range(runs):
        for key in keys:
            samples[key].append(one_cold_start(site, *key, cold, enter))
    name = site.name if share is None else f"{site.name} at {share.memory_mb} MB of CPU"
    return SiteColdStart(name, runs, {key: Case(*key, values) for key, values in samples.items()})


def measure_cold_start(cold: ColdWorld, runs: int, source_runs: int, share_runs: int) -> ColdStart:
    """The artifact with both authorizers (the goals), on a full core and within the CPU share of
    the template's memory; the source tree, scopegate only (information)."""
    sites = {}
    for site in cold.sites:
        if site.name == ARTIFACT_SITE or len(cold.sites) == 1:
            sites[site.name] = measure_site(site, cold, runs, (SCOPEGATE, MINIMAL))
        else:
            sites[site.name] = measure_site(site, cold, source_runs, (SCOPEGATE,))
    measured = next(site for site in cold.sites if site.name == ARTIFACT_SITE or len(cold.sites) == 1)
    with lambda_cpu_share() as share:
        shared = None if share.enter is None else measure_site(measured, cold, share_runs, (SCOPEGATE, MINIMAL), share)
    return ColdStart(sites, JWKS_DELAY_SECONDS * 1000, shared, share)
