"""What trusting several issuers costs a decision, and what one issuer costs: nothing extra.

Three engines on one warm process, each deciding the same kind of token, interleaved round by
round (bench.timing): the one issuer of TOKEN_ISSUER / AUDIENCE / JWKS_URI, an issuers file
holding only that issuer, and an issuers file of eight issuers whose fifth signs the tokens (the
others are never asked: their keys are fetched only for their own tokens). ``Engine.authorize``
is timed without the decision log line, which is the same for all three. A fresh-token decision
picks its issuer by ``iss`` (:meth:`authorizer.key_sets.KeySets.for_token`); that step is also
timed alone, against the fresh decision it is part of.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from authorizer.config import read_settings
from authorizer.decision_log import DecisionRecord
from authorizer.engine import Engine
from authorizer.tokens import decompose_unverified_jwt
from bench.timing import per_call_medians
from bench.world import World, authorizer_environment, token_event
from tests.support.minting import AUDIENCE, ISSUER

SINGLE = "TOKEN_ISSUER"
FILE_OF_ONE = "issuers file, 1 issuer"
FILE_OF_EIGHT = "issuers file, 8 issuers"
CONFIGURATIONS = (SINGLE, FILE_OF_ONE, FILE_OF_EIGHT)
FLAT = 1.1  # "nothing extra": within the noise of interleaved medians on a shared machine


@dataclass(frozen=True)
class IssuersCost:
    fresh_us: dict[str, float]  # per configuration, median per decision
    repeated_us: dict[str, float]
    lookup_us: float  # choosing the issuer of a fresh token (KeySets.for_token), eight issuers

    @property
    def growth(self) -> float:
        """Time of a repeated-token decision with eight issuers over that with TOKEN_ISSUER."""
        return self.repeated_us[FILE_OF_EIGHT] / self.repeated_us[SINGLE]

    @property
    def lookup_share(self) -> float:
        return self.lookup_us / self.fresh_us[SINGLE]


def _issuers_file(folder: Path, jwks_url: str, count: int) -> Path:
    entries = [f"  - issuer: https://tenant-{n}.example.auth0.com/\n    audiences: [{AUDIENCE}]\n" for n in range(count)]
    entries.insert(min(4, count - 1), f"  - issuer: {ISSUER}\n    audiences: [{AUDIENCE}]\n    jwks_uri: {jwks_url}\n")
    path = folder / f"issuers-{count}.yaml"
    path.write_text("version: 1\nissuers:\n" + "".join(entries[:count]))
    return path


def _engines(world: World, folder: Path) -> dict[str, Engine]:
    single = authorizer_environment(world.jwks.url, world.rules_file)
    shared = {"RULES_FILE": str(world.rules_file)}
    environments = {
        SINGLE: single,
        FILE_OF_ONE: {**shared, "ISSUERS_FILE": str(_issuers_file(folder, world.jwks.url, 1))},
        FILE_OF_EIGHT: {**shared, "ISSUERS_FILE": str(_issuers_file(folder, world.jwks.url, 8))},
    }
    return {name: Engine.from_settings(read_settings(env)) for name, env in environments.items()}


def measure_issuers(world: World, tokens: list[str], rounds: int) -> IssuersCost:
    """Fresh and repeated decisions of the three engines over ``rounds`` interleaved rounds."""
    batch = max(len(tokens) // rounds, 1)
    slices = [tokens[r * batch : (r + 1) * batch] for r in range(rounds)]
    events = [[token_event(t) for t in part] for part in slices]
    repeated_event = token_event(tokens[0])
    with tempfile.TemporaryDirectory(prefix="bench-issuers-") as folder:
        engines = _engines(world, Path(folder))
    for engine in engines.values():
        engine.authorize(repeated_event, DecisionRecord())  # warm: keys fetched once, the token remembered

    def fresh(engine: Engine):  # type: ignore[no-untyped-def]
        def run(r: int) -> int:
            engine.tokens = type(engine.tokens)(engine.tokens.size)  # each round's tokens are new to it
            for event in events[r]:
                engine.authorize(event, DecisionRecord())
            return len(events[r])
        return run

    def repeated(engine: Engine):  # type: ignore[no-untyped-def]
        def run(r: int) -> int:
            for _ in range(batch):
                engine.authorize(repeated_event, DecisionRecord())
            return batch
        return run

    eight = engines[FILE_OF_EIGHT]
    unverified = [decompose_unverified_jwt(t, eight.jwks.shape) for t in tokens[:batch]]

    def lookup(r: int) -> int:
        for jwt in unverified:
            eight.jwks.for_token(jwt)
        return len(unverified)

    cases = {f"fresh {name}": fresh(engine) for name, engine in engines.items()}
    cases |= {f"repeated {name}": repeated(engine) for name, engine in engines.items()}
    cases["lookup"] = lookup
    medians = per_call_medians(cases, rounds)
    return IssuersCost(
        {name: medians[f"fresh {name}"] * 1e6 for name in CONFIGURATIONS},
        {name: medians[f"repeated {name}"] * 1e6 for name in CONFIGURATIONS},
        medians["lookup"] * 1e6,
    )


def issuers_table(cost: IssuersCost) -> list[tuple[str, ...]]:
    return [(name, f"{cost.fresh_us[name]:.1f} µs", f"{cost.repeated_us[name]:.1f} µs",
             f"{cost.repeated_us[name] / cost.repeated_us[SINGLE]:.2f}") for name in CONFIGURATIONS]


def main() -> None:
    """``python -m bench.issuers``: this figure alone, at make bench's counts, as Markdown."""
    from bench.report import markdown_table
    from bench.run import FULL
    from bench.world import mint_tokens, running_world

    with running_world() as world:
        cost = measure_issuers(world, mint_tokens(world.key, FULL.tokens), FULL.rounds)
    print(markdown_table(("issuers", "fresh-token decision", "repeated-token decision", "x the time (repeated)"),
                         issuers_table(cost)))
    print(f"\nchoosing the issuer: {cost.lookup_us:.2f} µs, {cost.lookup_share:.2%} of a fresh decision; "
          f"repeated-token decision with 8 issuers: {cost.growth:.2f} x the time of TOKEN_ISSUER's")


if __name__ == "__main__":
    main()
