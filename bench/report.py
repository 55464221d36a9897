"""The results of one run: the summary table, docs/benchmarks.md and its plots."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.cold_breakdown import Breakdown, breakdown_table, imports_table
from bench.cold_start import DELAYED, LOOPBACK, MINIMAL, SCOPEGATE, ColdStart, SiteColdStart
from bench.gateway_workload import WorkloadResult
from bench.memory import Memory
from bench.policy_size import HEADERS as POLICY_SIZE_HEADERS
from bench.policy_size import ONE_SERVICE_READ_WRITE, PolicySize, policy_size_table
from bench.profile import Profile
from bench.issuers import FILE_OF_EIGHT, FLAT, SINGLE, IssuersCost, issuers_table
from bench.rules_scale import RulesScaleRow
from bench.throughput import (
    BASELINE, FRESH, FRESH_NO_LOG, REFERENCE, REPEATED, REPEATED_NO_LOG, Throughput,
)

RATIOS_PLOT = "benchmarks-ratios.png"
RULES_PLOT = "benchmarks-rules.png"
FLAT_TOLERANCE = 1.25  # "flat": 1,000 rules decide within 1.25 x the time of 10 rules
VERSIONED = ("cryptography", "PyJWT", "aws-lambda-powertools", "PyYAML")
MEMORY_GOAL_MIB = 48
DELAY_GOAL_MS = 20  # the 100 ms JWKS delay may add at most this much to scopegate's cold start
NOT_MEASURED = "(not measured here)"


@dataclass(frozen=True)
class Results:
    mode: str  # "full" or "smoke"
    started_at: str  # ISO 8601 UTC
    throughput: Throughput
    cold_start: ColdStart
    rules: list[RulesScaleRow]
    gateway: list[WorkloadResult]
    memory: Memory
    profile: Profile
    seconds: float
    policy: PolicySize
    issuers: IssuersCost
    breakdowns: list[Breakdown]


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    ratio: str
    goal: str
    met: str  # "yes", "no" or "" (no goal)


def _mark(ok: bool) -> str:
    return "yes" if ok else "no"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def summary_rows(r: Results) -> list[Row]:
    t = r.throughput
    per_call = t.seconds_per_call
    rows = [
        Row("baseline", _us(per_call[BASELINE]), "1.00", "1.0", ""),
        Row("reference (PyJWT decode)", _us(per_call[REFERENCE]), f"{t.rate_ratio(REFERENCE):.2f}", "(about 0.29)", ""),
        Row("fresh-token decision", _us(per_call[FRESH]), f"{t.rate_ratio(FRESH):.2f}", ">= 0.4",
            _mark(t.rate_ratio(FRESH) >= 0.4)),
        Row("repeated-token decision", _us(per_call[REPEATED]), f"{t.rate_ratio(REPEATED):.2f}", ">= 1.0",
            _mark(t.rate_ratio(REPEATED) >= 1.0)),
    ]
    c = r.cold_start.measured
    rows.append(Row(
        "cold start, loopback JWKS (vs minimal PyJWT authorizer)",
        f"{c.first_decision_ms(SCOPEGATE, LOOPBACK):.0f} ms vs {c.first_decision_ms(MINIMAL, LOOPBACK):.0f} ms",
        f"{c.ratio():.2f} x minimal", "<= 1.0 x minimal", _mark(c.ratio() <= 1.0),
    ))
    delay = r.cold_start.delay_ms
    rows.append(Row(
        f"cold start, JWKS answering after {delay:.0f} ms: added to the loopback one",
        f"{c.delay_cost_ms(SCOPEGATE):+.0f} ms vs minimal {c.delay_cost_ms(MINIMAL):+.0f} ms", "",
        f"<= {DELAY_GOAL_MS} ms", _mark(c.delay_cost_ms(SCOPEGATE) <= DELAY_GOAL_MS),
    ))
    rows.append(Row(
        f"cold start, JWKS answering after {delay:.0f} ms (vs minimal PyJWT authorizer)",
        f"{c.first_decision_ms(SCOPEGATE, DELAYED):.0f} ms vs {c.first_decision_ms(MINIMAL, DELAYED):.0f} ms",
        f"{c.ratio(DELAYED):.2f} x minimal", "(reported)", "",
    ))
    rows += _share_rows(r.cold_start)
    rows.append(Row(
        "cold start: the JWKS request at the server, from process start",
        f"{c.request_ms(SCOPEGATE, DELAYED):.0f} ms vs minimal {c.request_ms(MINIMAL, DELAYED):.0f} ms", "",
        "(reported)", "",
    ))
    by_count = {row.rules: row for row in r.rules}
    small, large = by_count[min(by_count)], by_count[max(by_count)]
    rows.append(Row(
        f"rules scale: compile {large.rules:,} rules", f"{large.compile_ms:.1f} ms", "", "<= 50 ms",
        _mark(large.compile_ms <= 50),
    ))
    rows.append(Row(
        f"rules scale: load the compiled form of {large.rules:,} rules", f"{large.load_compiled_ms:.1f} ms", "",
        "(reported)", "",
    ))
    growth = large.handler_in_baselines / small.handler_in_baselines
    rows.append(Row(
        f"rules scale: decision, {small.rules} -> {large.rules:,} rules",
        f"{small.handler_us:.1f} -> {large.handler_us:.1f} µs",
        f"{1 / small.handler_in_baselines:.2f} -> {1 / large.handler_in_baselines:.2f} ({growth:.2f} x the time)",
        f"flat (<= {FLAT_TOLERANCE} x the time)", _mark(growth <= FLAT_TOLERANCE),
    ))
    i = r.issuers
    rows.append(Row(
        "issuers: decision, TOKEN_ISSUER -> a file of 8 issuers",
        f"{i.repeated_us[SINGLE]:.1f} -> {i.repeated_us[FILE_OF_EIGHT]:.1f} µs",
        f"{i.growth:.2f} x the time; choosing the issuer {i.lookup_share:.2%} of a fresh decision",
        f"flat (<= {FLAT} x the time)", _mark(i.growth <= FLAT),
    ))
    for result in r.gateway:
        has_goal = result.reauthorize_every > 0 and result.mode == "TOKEN"  # per-route: 0 wrong only
        ok = result.invoked_percent <= 2.0 and result.wrong_decisions == 0
        rows.append(Row(
            f"gateway workload, {result.label}",
            f"{result.invoked_percent:.2f}% invoked, {result.wrong_decisions} wrong of {result.requests:,}",
            "", "<= 2% invoked, 0 wrong" if has_goal else "0 wrong",
            _mark(ok) if has_goal else _mark(result.wrong_decisions == 0),
        ))
    rows.append(Row(
        f"memory: peak RSS after {r.memory.decisions:,} decisions", f"{r.memory.peak_rss_mib:.1f} MiB ({r.memory.site})", "",
        f"<= {MEMORY_GOAL_MIB} MiB", _mark(r.memory.peak_rss_mib <= MEMORY_GOAL_MIB),
    ))
    one_service = r.policy.row(large.rules, ONE_SERVICE_READ_WRITE)
    rows.append(Row(
        f"policy: one service's scopes, {large.rules:,} rules", f"{one_service.compact_bytes:,} bytes", "",
        "<= 2 KiB", _mark(one_service.compact_bytes <= 2048),
    ))
    per_route = r.policy.largest_per_route(large.rules)
    rows.append(Row(
        f"policy per route: largest of any token, {large.rules:,} rules", f"{per_route.per_route_bytes:,} bytes",
        "", "<= 2 KiB", _mark(per_route.per_route_bytes <= 2048),
    ))
    return rows


def markdown_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(r: Results) -> str:
    return markdown_table(
        ("figure", "median", "rate ratio to baseline", "goal", "met"),
        [(row.figure, row.measured, row.ratio, row.goal, row.met) for row in summary_rows(r)],
    )


def machine_description() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from cryptography.hazmat.backends.openssl.backend import backend

    versions = ", ".join(f"{name} {metadata.version(name)}" for name in VERSIONED)
    return [
        f"- machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.2f} at the end of the run (a busy machine moves bare times; "
        "ratios measured side by side move much less)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{backend.openssl_version_text()}",
        f"- packages: {versions}",
    ]


def _detail_sections(r: Results) -> list[str]:
    t = r.throughput
    large_count = max(row.rules for row in r.rules)
    diag = markdown_table(
        ("case", "median per call", "rate ratio to baseline"),
        [(name, _us(t.seconds_per_call[name]), f"{t.rate_ratio(name):.2f}")
         for name in (BASELINE, REFERENCE, FRESH, FRESH_NO_LOG, REPEATED, REPEATED_NO_LOG)],
    )
    rules = markdown_table(
        ("rules", "compile (YAML)", "load the compiled form", "RuleSet.decide", "lambda_handler (repeated token)",
         "its rate ratio to baseline", "policy bytes"),
        [(f"{row.rules:,}", f"{row.compile_ms:.2f} ms", f"{row.load_compiled_ms:.2f} ms", f"{row.decide_us:.2f} µs",
          f"{row.handler_us:.1f} µs",
          f"{1 / row.handler_in_baselines:.2f}", f"{row.policy_bytes:,}") for row in r.rules],
    )
    gateway = markdown_table(
        ("ReauthorizeEvery", "mode", "requests", "authorizer invocations", "invoked", "wrong decisions",
         "requests/s (information)"),
        [(str(g.reauthorize_every), "per-route (REQUEST)" if g.mode == "REQUEST" else "TOKEN", f"{g.requests:,}",
          f"{g.invocations:,}", f"{g.invoked_percent:.2f}%", str(g.wrong_decisions), f"{g.requests_per_second:,.0f}")
         for g in r.gateway],
    )
    parts = markdown_table(("part of a fresh-token decision", "share"),
                           [(name, f"{share:.0%}") for name, share in r.profile.parts])
    profile = markdown_table(
        ("function", "calls per decision", "own time", "with callees"),
        [(f"`{p.function}`", f"{p.calls_per_decision:.1f}", f"{p.own_share:.1%}", f"{p.total_share:.1%}")
         for p in r.profile.top],
    )
    return [
        "## Per-call figures (warm container)", "",
        "The two rows without the log line are diagnostics (not goals): the same decisions with the "
        "logger above INFO, which shows what the decision log line costs.", "", diag, "",
        *_cold_start_section(r.cold_start, r.breakdowns),
        "## Rules scale", "",
        "Compile times are the median CPU time of the compiling thread (single-threaded, no I/O, so "
        "this is its wall time on an idle core, and other load on the machine does not inflate it), "
        "each run with the glob cache empty as in a fresh process: compiling the YAML text "
        "(`compile_rules`, PyYAML already imported), and loading the compiled form that `sam build` "
        "ships (`load_rules` of `rules.compiled.json`: read, JSON, the RuleSet and its index). "
        "Generated rules (five shapes per service: exact, `{id}`, POST, DELETE with two scopes, a "
        "`* .../internal/*` deny); decision times over a mix of matching, denied and unmatched "
        "requests; the policy is the (compact) one for a token holding every service's read scope, "
        "so it grows with the services the token may read: API Gateway lists an 8 KB authorizer result size only for WebSocket "
        "APIs (whether it binds REST APIs is unverified), and oversized policies are reported to fail "
        "in practice, so watch the last column.", "",
        rules, "", f"![rules scale]({RULES_PLOT})", "",
        "## Issuers", "",
        "One issuer costs a decision nothing extra, and several cost no more "
        "([bench/issuers.py](../bench/issuers.py)): three engines in this process, interleaved, "
        "decide the same tokens with the one issuer of TOKEN_ISSUER, with an issuers file naming "
        "only it, and with an issuers file of eight issuers whose fifth signs the tokens. Times are "
        "`Engine.authorize` without the decision log line (the same line for all three). Choosing "
        f"the issuer of a fresh token by its `iss` took {r.issuers.lookup_us:.2f} µs, "
        f"{r.issuers.lookup_share:.2%} of a fresh decision with TOKEN_ISSUER.", "",
        markdown_table(("issuers", "fresh-token decision", "repeated-token decision", "x the time (repeated)"),
                       issuers_table(r.issuers)), "",
        "## Policy size", "",
        "The same generated rules, four tokens: one service's read scope, its read and write "
        "scopes, every service's read scope, every scope. The full policy lists every resource "
        "of every rule (what scopegate returned before compaction); the compact one drops each "
        "resource proved to change no decision ([bench/policy_size.py](../bench/policy_size.py)), "
        "so its size follows what the token may do. Build times are CPU time, medians: a scope "
        "set the engine has not memoised yet, with the rule set's resources already indexed; the "
        f"first policy of a container at {large_count:,} rules, which indexes them, took "
        f"{r.policy.first_ms:.2f} ms. Per route is per-route mode (`AuthorizerMode=REQUEST`): the "
        "token's largest per-route policy over every route of the API the rules are written for (a "
        "route per rule and verb, a trailing `*` as `{proxy+}`), and the median time to build one; "
        "each covers one route, so its size follows the route, not the API.", "",
        markdown_table(POLICY_SIZE_HEADERS, policy_size_table(r.policy)), "",
        "## Gateway workload", "",
        "Through the local gateway ([bench/gateway_workload.py](../bench/gateway_workload.py)): "
        "local/gateway on 127.0.0.1 with its real result cache, a bench-only SAM template of 20 "
        "routes served by an echo function behind the real authorizer (a warm worker process, "
        "bench-only rules, tokens verified against a JWKS server on 127.0.0.1), one gateway per "
        "`ReauthorizeEvery`, and one in per-route mode (`AuthorizerMode=REQUEST`: the gateway caches "
        "per token, method and resource path, so more calls reach the authorizer). 10 clients x 20 "
        "routes over one simulated hour, skewed route "
        "popularity, each client one token and one keep-alive HTTP connection, the clients in "
        "parallel. The gateway's clock follows the simulated hour in 60 s steps (the requests of a "
        "step are sent before the clock moves on), so cached policies expire as in an hour of "
        "traffic. Every answer is checked against the rules' own decision (`RuleSet.decide`): 200 "
        "where they allow, 403 where they deny, anything else is wrong. Invocations are the "
        "gateway's count of authorizer calls; requests/s is wall time after both workers are warm, "
        "on this machine, with the client in the same process: information, not a goal.", "",
        gateway, "",
        "## Profile of a fresh-token decision (cProfile, this run)", "",
        "Shares of profiled time. cProfile inflates Python-level calls against C ones (the RSA "
        "verify is a larger share without it), so read these as where to look, and the per-call "
        "table above as the measure.", "",
        *([f"No profile in this run: {r.profile.unavailable}.", ""] if r.profile.unavailable
          else [parts, "", profile, ""]),
    ]


def _cold_cases_table(site: SiteColdStart) -> str:
    rows = []
    for (authorizer, server), case in site.cases.items():
        rows.append((
            authorizer, server, f"{case.median('first_decision_ms'):.1f} ms", f"{case.median('interpreter_ms'):.1f} ms",
            f"{case.median('runtime_ms'):.1f} ms", f"{case.median('init_ms'):.1f} ms",
            f"{case.median('request_ms'):.1f} ms", f"{case.median('invoke_ms'):.1f} ms",
        ))
    return markdown_table(
        ("authorizer", "JWKS", "process start to first decision", "interpreter", "runtime's imports",
         "init (import of the handler's module)", "JWKS request at the server (from process start)",
         "first invocation"),
        rows,
    )


def _share_rows(c: ColdStart) -> list[Row]:
    """The goals again, within the CPU share Lambda gives the template's memory."""
    share, site, delay = c.share, c.at_lambda_share, c.delay_ms
    memory = f"{share.memory_mb} MB" if share is not None else "the template's memory"
    loopback = f"cold start at {memory} of CPU, loopback JWKS (vs minimal PyJWT authorizer)"
    delayed = f"cold start at {memory} of CPU, JWKS answering after {delay:.0f} ms: added to the loopback one"
    if site is None:
        why = share.unavailable if share is not None else "not run"
        return [Row(loopback, why or "", "", NOT_MEASURED, ""), Row(delayed, why or "", "", NOT_MEASURED, "")]
    return [
        Row(loopback, f"{site.first_decision_ms(SCOPEGATE, LOOPBACK):.0f} ms vs "
            f"{site.first_decision_ms(MINIMAL, LOOPBACK):.0f} ms", f"{site.ratio():.2f} x minimal",
            "<= 1.0 x minimal", _mark(site.ratio() <= 1.0)),
        Row(delayed, f"{site.delay_cost_ms(SCOPEGATE):+.0f} ms vs minimal {site.delay_cost_ms(MINIMAL):+.0f} ms", "",
            f"<= {DELAY_GOAL_MS} ms", _mark(site.delay_cost_ms(SCOPEGATE) <= DELAY_GOAL_MS)),
    ]


def _share_section(c: ColdStart) -> list[str]:
    share, site = c.share, c.at_lambda_share
    if share is None:
        return []
    head = (f"**sam build artifact at {share.memory_mb} MB of CPU** (the template's `MemorySize`): Lambda gives a "
            f"function CPU in proportion to its memory, one vCPU at 1,769 MB, so {share.memory_mb} MB is "
            f"{share.fraction:.2f} of a core. Here each child runs in a cgroup whose CFS quota gives it that "
            "share of one core ([bench/cpu_share.py](../bench/cpu_share.py); Lambda does not publish how it "
            "enforces the share). A cold start is CPU-bound, so init takes about "
            f"{1 / share.fraction:.1f} times as long, and the round trip to the issuer overlaps more of it.")
    if site is None:
        return [head, "", f"Not measured in this run: {share.unavailable}.", ""]
    return [
        head + f" {site.runs} run(s) of each case after one unmeasured run.", "",
        _cold_cases_table(site), "",
        f"scopegate / minimal, loopback: {site.ratio(LOOPBACK):.2f}; delayed: {site.ratio(DELAYED):.2f}. The delay "
        f"added {site.delay_cost_ms(SCOPEGATE):.1f} ms to scopegate and {site.delay_cost_ms(MINIMAL):.1f} ms to the "
        "minimal authorizer.", "",
    ]


def _delay_floor(site: SiteColdStart, delay_ms: float) -> str:
    """Why the delay's cost cannot go below a bound: no decision before the JWKS answer."""
    request = site.request_ms(SCOPEGATE, DELAYED)
    loopback = site.first_decision_ms(SCOPEGATE, LOOPBACK)
    return (
        f"No cold start decides before its JWKS answer: with the delayed server, not before the "
        f"request reaches the server plus {delay_ms:.0f} ms. scopegate's request reaches it "
        f"{request:.1f} ms after process start (the interpreter and the runtime's imports included), "
        f"so its delayed cold start cannot end before {request + delay_ms:.0f} ms; it ended at "
        f"{site.first_decision_ms(SCOPEGATE, DELAYED):.0f} ms. The delay's cost over the loopback cold "
        f"start ({loopback:.0f} ms) is therefore about {max(0.0, request + delay_ms - loopback):.0f} ms or "
        "more whatever happens after the request leaves: a faster init lowers the loopback figure, not "
        "the delayed one."
    )


def _imported(modules: dict[str, bool]) -> str:
    return ", ".join(f"{name} {'imported' if loaded else 'not imported'}" for name, loaded in sorted(modules.items()))


def _cold_start_section(c: ColdStart, breakdowns: list[Breakdown]) -> list[str]:
    lines = [
        "## Cold start", "",
        "Process start to first decision, in fresh processes (bench/cold_child.py): the child first "
        "imports what Lambda's Python runtime has imported before init "
        "([bench/lambda_runtime.py](../bench/lambda_runtime.py): the standard-library modules of "
        "awslambdaric's bootstrap, `logging` among them), then the handler's "
        "module as Lambda's init imports it (`AWS_LAMBDA_FUNCTION_NAME` set), then one "
        "valid token is decided. The JWKS is fetched over TLS from 127.0.0.1, from a server that "
        f"answers at once (loopback) or sleeps {c.delay_ms:.0f} ms before answering (delayed: the "
        "round trips to an issuer); the TLS context and the handshake are part of every run. The "
        "children trust the bench's own CA through a copy of certifi's bundle with that CA appended "
        "(the minimal authorizer reads the same bundle), first on their path "
        "([bench/cold_site.py](../bench/cold_site.py)). The cases alternate; the ratio is the median "
        "of per-round ratios, the delay's cost the median of per-round differences. The minimal "
        "authorizer is [bench/minimal_authorizer.py](../bench/minimal_authorizer.py). The machine "
        "has 2 cores shared with other work: single runs move by tens of ms, medians much less.", "",
    ]
    for site in c.sites.values():
        role = "the goals" if site is c.measured else "information"
        lines += [f"**{site.site}** ({role}; {site.runs} run(s) of each case after one unmeasured run; "
                  f"at the first decision: {_imported(site.cases[(SCOPEGATE, LOOPBACK)].samples[-1].modules)})", "",
                  _cold_cases_table(site), ""]
        if (MINIMAL, LOOPBACK) in site.cases:
            lines += [f"scopegate / minimal, loopback: {site.ratio(LOOPBACK):.2f}; delayed: "
                      f"{site.ratio(DELAYED):.2f}. The delay added {site.delay_cost_ms(SCOPEGATE):.1f} ms to "
                      f"scopegate and {site.delay_cost_ms(MINIMAL):.1f} ms to the minimal authorizer.", "",
                      _delay_floor(site, c.delay_ms), ""]
        else:
            lines += [f"The delay added {site.delay_cost_ms(SCOPEGATE):.1f} ms to scopegate.", ""]
    lines += _share_section(c)
    if breakdowns:
        lines += [
            "### Where a cold start goes", "",
            "Each part on its own, one after the other, in fresh processes "
            "([bench/cold_breakdown.py](../bench/cold_breakdown.py)): the sum is a cold start in "
            "which nothing overlaps. In Lambda's init the JWKS fetch (TLS context included) runs "
            "beside the imports; the figures above show what is left of it. "
            f"{breakdowns[0].runs} run(s) per site; at the first decision: {_imported(breakdowns[0].modules)}.", "",
            markdown_table(*breakdown_table(breakdowns)), "",
            "Imports by package, from runs under `python -X importtime` (which slows imports; read "
            "the split, and the table above for the total):", "",
            markdown_table(*imports_table(breakdowns)), "",
        ]
    return lines


def benchmarks_markdown(r: Results, analysis: str, with_plots: bool) -> str:
    lines = [
        "# Benchmarks", "",
        "Generated by `make bench` (bench/run.py): every figure comes from ONE process run on one "
        "machine, and times are quoted as medians with their rate ratio to the baseline measured in "
        "the same run. Do not compare bare times across runs or machines.", "",
        f"- run: {r.started_at} ({r.mode} mode, {r.seconds:.0f} s)", *machine_description(), "",
        "## Summary", "", summary_table(r), "",
        "Rate ratio = baseline time per call / figure time per call (higher is faster). Baseline: "
        "`cryptography` RSA-2048 PKCS#1 v1.5 SHA-256 verify of the same tokens' signing input, key "
        "preloaded. Reference: PyJWT `jwt.decode` with the key preloaded, audience and issuer checked. "
        "Decisions: `authorizer.app.lambda_handler` on a warm container, decision log on (Powertools "
        "formats each line; the stream is /dev/null).", "",
    ]
    if with_plots:
        lines += [f"![rate ratios]({RATIOS_PLOT})", ""]
    body = _detail_sections(r)
    if not with_plots:
        body = [line for line in body if not line.startswith("![")]
    return "\n".join(lines + body + [analysis.strip(), ""])


def write_plots(r: Results, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = r.throughput
    names = [BASELINE, REFERENCE, FRESH, REPEATED, FRESH_NO_LOG, REPEATED_NO_LOG]
    ratios = [t.rate_ratio(name) for name in names]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.barh(names[::-1], ratios[::-1], color="#4c72b0")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("rate ratio to one RSA-2048 verify (same run; higher is faster)")
    for y, value in enumerate(ratios[::-1]):
        ax.text(value, y, f" {value:.2f}", va="center")
    fig.tight_layout()
    fig.savefig(folder / RATIOS_PLOT, dpi=110, metadata={"Software": None})
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
    counts = [row.rules for row in r.rules]
    left.plot(counts, [row.compile_ms for row in r.rules], marker="o")
    left.axhline(50, color="red", linestyle="--", linewidth=0.8, label="goal 50 ms")
    left.set(xscale="log", xlabel="rules", ylabel="compile (ms)")
    left.legend()
    right.plot(counts, [row.handler_us for row in r.rules], marker="o", label="lambda_handler")
    right.plot(counts, [row.decide_us for row in r.rules], marker="o", label="RuleSet.decide")
    right.set(xscale="log", xlabel="rules", ylabel="µs per decision", ylim=(0, None))
    right.legend()
    fig.tight_layout()
    fig.savefig(folder / RULES_PLOT, dpi=110, metadata={"Software": None})
    plt.close(fig)
