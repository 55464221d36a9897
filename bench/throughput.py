"""Per-call figures on a warm container: baseline, PyJWT reference, fresh and repeated decisions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench.timing import per_call_medians
from bench.world import World, configured_app, signing_input_and_signature, token_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import AUDIENCE, ISSUER

BASELINE = "baseline"
REFERENCE = "reference"
FRESH = "fresh-token decision"
REPEATED = "repeated-token decision"
FRESH_NO_LOG = "fresh-token decision, no log line"
REPEATED_NO_LOG = "repeated-token decision, no log line"


@dataclass(frozen=True)
class Throughput:
    seconds_per_call: dict[str, float]  # median over rounds

    def rate_ratio(self, name: str) -> float:
        """Calls per second of ``name`` over those of the baseline (same run)."""
        return self.seconds_per_call[BASELINE] / self.seconds_per_call[name]


def measure_throughput(world: World, tokens: list[str], rounds: int) -> Throughput:
    """Interleave every case over ``rounds`` rounds of ``len(tokens) // rounds`` distinct tokens."""
    batch = len(tokens) // rounds
    slices = [tokens[r * batch : (r + 1) * batch] for r in range(rounds)]
    public_key = world.key.private_key.public_key()
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    signed = [[signing_input_and_signature(t) for t in part] for part in slices]
    fresh_events = [[token_event(t) for t in part] for part in slices]
    repeated_event = token_event(tokens[0])
    context = FakeLambdaContext()

    def baseline(r: int) -> int:
        for signing_input, signature in signed[r]:
            public_key.verify(signature, signing_input, pkcs1, sha256)
        return batch

    def reference(r: int) -> int:
        for token in slices[r]:
            jwt.decode(token, public_key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
        return batch

    with configured_app(world.environment) as app:
        handler = app.lambda_handler
        handler(repeated_event, context)  # warm: engine, rules, JWKS fetched once

        def fresh(r: int) -> int:
            for event in fresh_events[r]:
                handler(event, context)
            return batch

        def repeated(r: int) -> int:
            for _ in range(batch):
                handler(repeated_event, context)
            return batch

        engine = app.current_engine()

        def fresh_again(r: int) -> int:
            # the fresh case verified this round's tokens already: forget them (constant time)
            engine.tokens = type(engine.tokens)(engine.tokens.size)
            return fresh(r)

        def without_log_line(case: Callable[[int], int]) -> Callable[[int], int]:
            def run(r: int) -> int:
                app.logger.setLevel(logging.WARNING)
                try:
                    return case(r)
                finally:
                    app.logger.setLevel(logging.INFO)

            return run

        # The no-log-line cases are diagnostics, not goals: they show what the decision log line costs.
        cases = {
            BASELINE: baseline, REFERENCE: reference, FRESH: fresh, REPEATED: repeated,
            FRESH_NO_LOG: without_log_line(fresh_again), REPEATED_NO_LOG: without_log_line(repeated),
        }
        medians = per_call_medians(cases, rounds)
    return Throughput(medians)
