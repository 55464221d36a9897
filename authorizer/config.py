"""Settings, read from the environment once (the only place that knows names).

Every problem is collected and reported in one :class:`ConfigError`, so a bad
deployment shows everything that needs fixing at its first cold start.

Each variable, its default and its bounds are in :func:`read_settings` and nowhere else in code;
README's "Configuration" table documents them, and tests/unit/test_settings_table.py keeps it true.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from authorizer.errors import ConfigError, Reason
# re-exported: the issuers file is read with the same rules (authorizer/issuers.py)
from authorizer.fetch_url import MAX_JWKS_BYTES, MAX_JWKS_TIMEOUT_SECONDS
from authorizer.fetch_url import SINGLE_ISSUER_VARIABLES as SINGLE_ISSUER_VARIABLES
from authorizer.fetch_url import check_fetch_url as check_fetch_url
from authorizer.fetch_url import default_jwks_uri as default_jwks_uri

PACKAGED_RULES_FILE = Path(__file__).resolve().parent.parent / "policies" / "rules.yaml"
FUNCTION_ROOT = Path(__file__).resolve().parent.parent  # the folder holding the package (/var/task in Lambda)

SUPPORTED_ALGORITHMS = ("RS256", "PS256")
SUPPORTED_PROFILES = ("auth0", "rfc9068")

# Powertools reads POWERTOOLS_LOGGER_LOG_EVENT with ``strtobool`` (lower-cased, not stripped) from
# ``aws_lambda_powertools.shared.functions``, an internal module: its table is copied here, and
# tests/unit/test_config.py pins it against the library's own parser and Logger.
POWERTOOLS_TRUE_WORDS = frozenset({"1", "y", "yes", "t", "true", "on"})
POWERTOOLS_FALSE_WORDS = frozenset({"0", "n", "no", "f", "false", "off"})


class TokenSettings(NamedTuple):
    """What a token must satisfy; the input of the pure verifier."""

    issuer: str
    audiences: tuple[str, ...]  # ``aud`` must hold one of them
    algorithms: tuple[str, ...]
    profiles: tuple[str, ...]
    clock_skew_seconds: int
    max_token_bytes: int
    # M2M only: ``sub`` must be ``<client id>@clients``, and an Auth0-dialect token must carry
    # ``gty: client-credentials`` (RFC 9068 tokens have no ``gty``); user tokens are refused.
    client_credentials_only: bool = False


class JwksSettings(NamedTuple):
    uri: str
    default_algorithm: str
    allowed_algorithms: tuple[str, ...]
    cache_ttl_seconds: int
    max_stale_seconds: int
    unknown_kid_cooldown_seconds: int
    retry_after_failure_seconds: int
    timeout_seconds: float
    max_bytes: int


class Settings(NamedTuple):
    token: TokenSettings
    jwks: JwksSettings
    rules_file: Path
    verified_token_cache_size: int
    policy_cache_size: int
    shadow_rules_file: Path | None = None
    # ISSUERS_FILE (authorizer.issuers): every trusted issuer. Then ``token`` and ``jwks`` hold what
    # all issuers share, and their issuer, audiences and JWKS URI are empty.
    issuers_file: Path | None = None
    context_claims: tuple[str, ...] = ()  # CONTEXT_CLAIMS: claims passed to services (authorizer.context)
    context_claim_max_bytes: int = 256
    tracing_enabled: bool = False
    service_name: str = "scopegate"
    metrics_namespace: str = "scopegate"


def check_log_event(raw: str | None) -> str | None:
    """Why ``POWERTOOLS_LOGGER_LOG_EVENT=raw`` is refused, or None if it is safe.

    Powertools' ``inject_lambda_context`` logs the whole event, bearer token included, when the
    variable reads as true (the authorizer does not use that decorator today: the refusal keeps
    one added later from logging tokens). Fail closed: only unset, blank, or a word Powertools
    reads as false (any case, surrounding spaces ignored) is accepted. A true word (``y``, ``T``,
    ``True``...) is refused, and so is any other value: Powertools 3.37 raises on it
    (``" true "``, ``"enabled"``), and what another version would make of it is a guess.
    """
    if raw is None:
        return None
    word = raw.strip().lower()
    if not word or word in POWERTOOLS_FALSE_WORDS:
        return None
    if raw.lower() in POWERTOOLS_TRUE_WORDS:
        return (
            f"POWERTOOLS_LOGGER_LOG_EVENT={raw!r} turns on Powertools' event logging, "
            "which would log bearer tokens; unset it"
        )
    return (
        f"POWERTOOLS_LOGGER_LOG_EVENT={raw!r} is not a value Powertools reads as false "
        f"({', '.join(sorted(POWERTOOLS_FALSE_WORDS))}), so it might log bearer tokens; unset it"
    )


class _Reader:
    """Reads typed values and remembers every problem."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(self, name: str, default: str | None = None) -> str:
        raw = self.env.get(name, "")
        value = raw.strip()
        if value:
            return value
        if default is None:
            self.problems.append(f"{name} is required but not set")
            return ""
        return default

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a whole number")
            return default
        if not low <= value <= high:
            self.problems.append(f"{name}={value} is outside {low}..{high}")
            return default
        return value

    def flag(self, name: str) -> bool:
        raw = self.env.get(name, "").strip().lower()
        if raw in {"", "0", "false", "no", "off"}:
            return False
        if raw in {"1", "true", "yes", "on"}:
            return True
        self.problems.append(f"{name}={raw!r} must be true or false")
        return False

    def choices(self, name: str, default: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.env.get(name, "").strip() or default
        values = tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
        unknown = [v for v in values if v not in allowed]
        if unknown or not values:
            self.problems.append(
                f"{name}={raw!r}: each value must be one of {', '.join(allowed)}"
            )
            return tuple(default.split(","))
        return values


def issuer_url_problems(issuer: str) -> list[str]:
    """Why ``issuer`` cannot be a trusted ``iss`` (an empty list if it can)."""
    problems = []
    why = check_fetch_url(issuer)
    if why:
        problems.append(why)
    try:
        host = urlsplit(issuer).hostname or ""
    except ValueError:  # e.g. "https://[tenant.auth0.com/": check_fetch_url named it above
        host = ""
    if host.endswith(".auth0.com") and not issuer.endswith("/"):
        problems.append(f"lacks the trailing '/' that Auth0 puts in 'iss'; use {issuer + '/'!r}")
    return problems


def _single_issuer(read: _Reader) -> tuple[str, str, str]:
    """TOKEN_ISSUER, AUDIENCE and JWKS_URI: the one trusted issuer, without an issuers file."""
    issuer = read.text("TOKEN_ISSUER")
    audience = read.text("AUDIENCE")
    if issuer:
        read.problems.extend(f"TOKEN_ISSUER={issuer!r} {why}" for why in issuer_url_problems(issuer))
    jwks_uri = read.text("JWKS_URI", default_jwks_uri(issuer) if issuer else "")
    if jwks_uri:
        why = check_fetch_url(jwks_uri)
        if why:
            read.problems.append(f"JWKS_URI={jwks_uri!r} {why}")
    return issuer, audience, jwks_uri


MAX_CONTEXT_CLAIMS = 10
_CLAIM_NAME = re.compile(r"[\x21-\x7E]{1,128}")  # printable ASCII, no spaces


def _context_claims(read: _Reader) -> tuple[str, ...]:
    """CONTEXT_CLAIMS: the names of the claims passed to services, comma-separated."""
    raw = read.text("CONTEXT_CLAIMS", "")
    names = tuple(name.strip() for name in raw.split(",")) if raw else ()
    bad = [name for name in names if not _CLAIM_NAME.fullmatch(name)]
    if bad:
        problem = (f"{bad[0]!r} is not a claim name (1-128 printable ASCII characters, no spaces; "
                   "names are separated by commas)")
    elif len(set(names)) != len(names):
        problem = "names a claim twice; name it once"
    elif len(names) > MAX_CONTEXT_CLAIMS:
        problem = f"names {len(names)} claims; at most {MAX_CONTEXT_CLAIMS}"
    else:
        return names
    read.problems.append(f"CONTEXT_CLAIMS={raw!r}: {problem}")
    return ()


def read_settings(env: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from ``env``; raise one ConfigError naming every problem."""
    read = _Reader(env)
    issuers_file = read.text("ISSUERS_FILE", "")
    if issuers_file:
        both = [name for name in SINGLE_ISSUER_VARIABLES if env.get(name, "").strip()]
        if both:
            read.problems.append(
                f"ISSUERS_FILE and {', '.join(both)} are both set: the issuers file lists every trusted "
                f"issuer with its audiences and JWKS URI; unset {', '.join(both)}, or unset ISSUERS_FILE "
                "to trust the one issuer they name"
            )
        issuer, audience, jwks_uri = "", "", ""
    else:
        issuer, audience, jwks_uri = _single_issuer(read)
    rules_file = Path(read.text("RULES_FILE", str(PACKAGED_RULES_FILE)))
    algorithms = read.choices("TOKEN_ALGORITHMS", "RS256", SUPPORTED_ALGORITHMS)
    profiles = read.choices("TOKEN_PROFILES", "auth0,rfc9068", SUPPORTED_PROFILES)
    skew = read.integer("CLOCK_SKEW_SECONDS", 30, 0, 300)
    max_token = read.integer("MAX_TOKEN_BYTES", 8192, 512, 10240)
    ttl = read.integer("JWKS_CACHE_TTL_SECONDS", 600, 60, 86400)
    stale = read.integer("JWKS_MAX_STALE_SECONDS", 21600, 0, 604800)
    cooldown = read.integer("JWKS_UNKNOWN_KID_COOLDOWN_SECONDS", 30, 1, 3600)
    retry = read.integer("JWKS_RETRY_AFTER_FAILURE_SECONDS", 5, 0, 300)
    timeout = read.integer("JWKS_TIMEOUT_SECONDS", 3, 1, MAX_JWKS_TIMEOUT_SECONDS)
    max_bytes = read.integer("JWKS_MAX_BYTES", 153600, 1024, MAX_JWKS_BYTES)
    token_cache = read.integer("VERIFIED_TOKEN_CACHE_SIZE", 4096, 0, 100_000)
    policy_cache = read.integer("POLICY_CACHE_SIZE", 1024, 1, 1_000_000)
    shadow = read.text("SHADOW_RULES_FILE", "")
    context_claims = _context_claims(read)
    claim_bytes = read.integer("CONTEXT_CLAIM_MAX_BYTES", 256, 16, 1024)
    tracing = read.flag("TRACING_ENABLED")
    client_credentials_only = read.flag("CLIENT_CREDENTIALS_ONLY")
    service_name = read.text("POWERTOOLS_SERVICE_NAME", "scopegate")
    namespace = read.text("POWERTOOLS_METRICS_NAMESPACE", "scopegate")
    log_event_problem = check_log_event(env.get("POWERTOOLS_LOGGER_LOG_EVENT"))
    if log_event_problem:
        read.problems.append(log_event_problem)
    if read.problems:
        raise ConfigError(
            "invalid configuration: " + "; ".join(read.problems), reason=Reason.CONFIG_INVALID
        )
    return Settings(
        token=TokenSettings(
            issuer=issuer,
            audiences=(audience,) if audience else (),
            algorithms=algorithms,
            profiles=profiles,
            clock_skew_seconds=skew,
            max_token_bytes=max_token,
            client_credentials_only=client_credentials_only,
        ),
        jwks=JwksSettings(
            uri=jwks_uri,
            default_algorithm=algorithms[0],
            allowed_algorithms=algorithms,
            cache_ttl_seconds=ttl,
            max_stale_seconds=stale,
            unknown_kid_cooldown_seconds=cooldown,
            retry_after_failure_seconds=retry,
            timeout_seconds=float(timeout),
            max_bytes=max_bytes,
        ),
        rules_file=rules_file,
        verified_token_cache_size=token_cache,
        policy_cache_size=policy_cache,
        shadow_rules_file=Path(shadow) if shadow else None,
        issuers_file=FUNCTION_ROOT / issuers_file if issuers_file else None,  # an absolute path stays itself
        context_claims=context_claims,
        context_claim_max_bytes=claim_bytes,
        tracing_enabled=tracing,
        service_name=service_name,
        metrics_namespace=namespace,
    )
