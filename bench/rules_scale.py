"""Rules at scale: compile time, decision time and policy bytes for 10, 100 and 1,000 rules."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from authorizer.caller import Caller
from authorizer.arn import parse_method_arn
from authorizer.policy import build_policy_document, policy_size
from authorizer.compiled_rules import dump_compiled_rules
from authorizer.glob_pattern import compile_glob
from authorizer.rules import RuleSet, compile_rules, load_rules
from bench.timing import median_seconds, per_call_medians
from bench.world import (
    World, configured_app, method_arn, mint_tokens, signing_input_and_signature, token_event,
)
from tests.support.lambda_context import FakeLambdaContext

RULE_COUNTS = (10, 100, 1000)
# One service contributes up to five rules, cycling through these shapes.
_SHAPES = (
    ("GET /svc{n}/items", "scopes: [read:svc{n}]"),
    ("GET /svc{n}/items/{{id}}", "any_scopes: [read:svc{n}, admin]"),
    ("POST /svc{n}/items", "scopes: [write:svc{n}]"),
    ("DELETE /svc{n}/items/{{id}}", "scopes: [write:svc{n}, admin]"),
    ('"* /svc{n}/internal/*"', "deny: true"),
)


def service_count(rules: int) -> int:
    """How many services ``generated_rules(rules)`` names (at least one)."""
    return max(1, rules // len(_SHAPES))


def generated_rules(count: int) -> str:
    lines = ["version: 1", "rules:"]
    for i in range(count):
        route, requirement = _SHAPES[i % len(_SHAPES)]
        n = i // len(_SHAPES)
        lines.append(f"  - route: {route.format(n=n)}")
        lines.append(f"    {requirement.format(n=n)}")
    return "\n".join(lines) + "\n"


def sample_requests(count: int, how_many: int, seed: int = 8) -> list[tuple[str, str]]:
    """A mix of requests against ``count`` generated rules: hits, misses and denied paths."""
    services = max(1, count // len(_SHAPES))
    rng = random.Random(seed)
    requests = []
    for _ in range(how_many):
        n = rng.randrange(services)
        requests.append(rng.choice([
            ("GET", f"/svc{n}/items"),
            ("GET", f"/svc{n}/items/{rng.randrange(10**6)}"),
            ("POST", f"/svc{n}/items"),
            ("DELETE", f"/svc{n}/items/{rng.randrange(10**6)}"),
            ("PUT", f"/svc{n}/internal/reindex"),
            ("GET", f"/unknown/{rng.randrange(100)}"),
        ]))
    return requests


@dataclass(frozen=True)
class RulesScaleRow:
    rules: int
    compile_ms: float  # CPU time of the compiling thread: other load on the machine does not count
    load_compiled_ms: float  # load_rules of the compiled form (rules.compiled.json), CPU time likewise
    decide_us: float  # RuleSet.decide alone, median per call over the request mix
    handler_us: float  # lambda_handler, repeated token, over the same request mix
    baseline_us: float  # one RSA verify, interleaved with the two above
    policy_bytes: int  # the (compact) policy for a token holding read scopes of every service

    @property
    def handler_in_baselines(self) -> float:
        """Decision time in RSA verifies measured alongside (robust to a busy machine)."""
        return self.handler_us / self.baseline_us


def cold_glob_cache(action: Callable[[], RuleSet]) -> RuleSet:
    """``action`` with the glob cache empty, as in a fresh process (a cold start)."""
    compile_glob.cache_clear()
    return action()


def measure_rules_scale(world: World, compile_repeats: int, decisions: int, rounds: int) -> list[RulesScaleRow]:
    rows = []
    token_scopes = " ".join(f"read:svc{n}" for n in range(max(RULE_COUNTS) // len(_SHAPES)))
    token = mint_tokens(world.key, 1, scope=token_scopes, tag="rules")[0]
    context = FakeLambdaContext()
    public_key = world.key.private_key.public_key()
    signing_input, signature = signing_input_and_signature(token)
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    with tempfile.TemporaryDirectory() as folder:
        for count in RULE_COUNTS:
            text = generated_rules(count)
            compile_seconds = median_seconds(
                lambda: cold_glob_cache(lambda: compile_rules(text, "bench")), compile_repeats, clock=time.thread_time
            )
            ruleset = compile_rules(text, "bench")
            compiled_file = Path(folder) / f"rules-{count}.compiled.json"
            compiled_file.write_text(dump_compiled_rules(ruleset, text))
            load_seconds = median_seconds(
                lambda: cold_glob_cache(lambda: load_rules(compiled_file)), compile_repeats, clock=time.thread_time
            )
            requests = sample_requests(count, decisions)
            granted = frozenset(token_scopes.split())
            events = [token_event(token, method, path) for method, path in requests]
            rules_file = Path(folder) / f"rules-{count}.yaml"
            rules_file.write_text(text)
            environment = {**world.environment, "RULES_FILE": str(rules_file)}
            with configured_app(environment) as app:
                for event in events:  # warm: token memo and every policy built once
                    app.lambda_handler(event, context)

                def decide(_: int) -> int:
                    for method, path in requests:
                        ruleset.decide(method, path, Caller.holding(granted))
                    return len(requests)

                def handle(_: int) -> int:
                    for event in events:
                        app.lambda_handler(event, context)
                    return len(events)

                def baseline(_: int) -> int:
                    for _ in requests:
                        public_key.verify(signature, signing_input, pkcs1, sha256)
                    return len(requests)

                medians = per_call_medians({"baseline": baseline, "decide": decide, "handler": handle}, rounds)
            api = parse_method_arn(method_arn("GET", "/")).api
            document = build_policy_document(ruleset, Caller.holding(granted & ruleset.known_scopes), api)
            rows.append(RulesScaleRow(
                rules=count,
                compile_ms=compile_seconds * 1000,
                load_compiled_ms=load_seconds * 1000,
                decide_us=medians["decide"] * 1e6,
                handler_us=medians["handler"] * 1e6,
                baseline_us=medians["baseline"] * 1e6,
                policy_bytes=policy_size(document),
            ))
    return rows
