"""The trusted issuers: ISSUERS_FILE, or the one issuer of TOKEN_ISSUER / AUDIENCE / JWKS_URI.

Format of the issuers file, version 1 (README "Several issuers")::

    version: 1
    issuers:
      - issuer: https://tenant-a.eu.auth0.com/        # the exact 'iss'
        audiences: [https://api.example.com]          # 'aud' must hold one of these
        jwks_uri: https://tenant-a.eu.auth0.com/.well-known/jwks.json   # optional
        profiles: [auth0, rfc9068]                    # optional; default TOKEN_PROFILES
      - issuer: https://login.example.com/            # a custom domain of the same tenant
        audiences: [https://api.example.com]

``jwks_uri`` defaults to ``<issuer>.well-known/jwks.json``; optional ``description`` says what an
entry is for. Each entry is checked as TOKEN_ISSUER and JWKS_URI are (https, or http on loopback
only; Auth0's trailing ``/``), and an issuer may be listed once. Every problem of the file is
reported at once, each as ``file:line: message`` (:class:`IssuersError`), so a deployment shows
all that needs fixing at its first cold start, and ``python -m scopegate_tools check`` shows the
same lines before it.

Only the issuer's settings live here (values in, values out but for reading the file); its keys
are in :mod:`authorizer.key_sets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from authorizer.config import SUPPORTED_PROFILES, Settings, check_fetch_url, default_jwks_uri, issuer_url_problems
from authorizer.errors import ConfigError, Reason
from authorizer.fetch_url import MAX_ISSUERS as MAX_ISSUERS

ISSUERS_VERSION = 1
TOP_LEVEL_KEYS = ("version", "issuers", "description")
ISSUER_KEYS = ("issuer", "audiences", "jwks_uri", "profiles", "description")
MAX_FILE_BYTES = 64 * 1024


class Issuer(NamedTuple):
    """One trusted issuer: whose tokens, for which audiences, verified with which keys."""

    issuer: str  # the exact 'iss'
    audiences: tuple[str, ...]  # 'aud' must hold one of them
    jwks_uri: str  # where its keys are published: trusted for its tokens only
    profiles: tuple[str, ...]  # the token dialects accepted from it
    line: int | None = None  # its entry in the issuers file (None: from the environment)


class IssuersError(ConfigError):
    """The issuers file cannot be used; ``problems`` holds every ``file:line: message``."""

    reason = Reason.CONFIG_INVALID

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("invalid issuers file: " + "; ".join(problems))
        self.problems = tuple(problems)


def _strings(raw: Any, key: str, where: str) -> tuple[tuple[str, ...], str | None]:
    """A non-empty list of distinct non-empty strings, or why not."""
    if isinstance(raw, str):
        return (), f"{where}: '{key}' must be a list, e.g. {key}: [{raw}]"
    if not isinstance(raw, list) or not raw:
        return (), f"{where}: '{key}' must be a non-empty list"
    if not all(isinstance(item, str) and item.strip() == item and item for item in raw):
        return (), f"{where}: '{key}' must hold non-empty strings without surrounding spaces"
    if len(set(raw)) != len(raw):
        return (), f"{where}: '{key}' lists a value twice; list it once"
    return tuple(raw), None


class _Entry:
    """Reads one entry of ``issuers:``, collecting its problems with their lines."""

    def __init__(self, raw: Any, line: int, position: int, default_profiles: tuple[str, ...]) -> None:
        from authorizer.yaml_source import suggest_key  # PyYAML only when the file is used

        self.problems: list[tuple[int, str]] = []
        self.issuer: Issuer | None = None
        where = f"issuer {position}"
        if not isinstance(raw, dict):
            self.problems.append((line, f"{where}: must be a mapping with 'issuer' and 'audiences'"))
            return
        lines: dict[str, int] = getattr(raw, "key_lines", {})
        issuer = raw.get("issuer")
        if isinstance(issuer, str) and issuer:
            where = f"issuer {position} ({issuer})"
        for key in raw:
            if key not in ISSUER_KEYS:
                self.problems.append((lines.get(key, line), f"{where}: unknown key '{key}'{suggest_key(key, ISSUER_KEYS)}"))
        if not isinstance(issuer, str) or not issuer:
            self.problems.append((lines.get("issuer", line), f"{where}: needs 'issuer', the exact 'iss' of its tokens"))
            return
        issuer_problems = issuer_url_problems(issuer)
        for why in issuer_problems:
            self.problems.append((lines["issuer"], f"{where}: 'issuer' {why}"))
        audiences: tuple[str, ...] = ()
        if "audiences" not in raw:
            self.problems.append((line, f"{where}: needs 'audiences', e.g. audiences: [https://api.example.com]"))
        else:
            audiences, problem = _strings(raw["audiences"], "audiences", where)
            if problem:
                self.problems.append((lines["audiences"], problem))
        jwks_uri = raw.get("jwks_uri", default_jwks_uri(issuer))
        bad_uri = check_fetch_url(jwks_uri) if isinstance(jwks_uri, str) else "must be a string"
        if bad_uri and ("jwks_uri" in raw or not issuer_problems):  # a default from a bad issuer: said above
            self.problems.append((lines.get("jwks_uri", line), f"{where}: 'jwks_uri' {bad_uri}"))
        profiles = default_profiles
        if "profiles" in raw:
            profiles, problem = _strings(raw["profiles"], "profiles", where)
            unknown = [p for p in profiles if p not in SUPPORTED_PROFILES]
            if problem or unknown:
                self.problems.append((
                    lines["profiles"],
                    problem or f"{where}: 'profiles' holds {unknown[0]!r}; each must be one of "
                    f"{', '.join(SUPPORTED_PROFILES)}",
                ))
        description = raw.get("description", "")
        if not isinstance(description, str):
            self.problems.append((lines.get("description", line), f"{where}: 'description' must be a string"))
        if not self.problems:
            self.issuer = Issuer(issuer, audiences, str(jwks_uri), profiles, line)


def compile_issuers(text: str, source: str, *, default_profiles: tuple[str, ...]) -> tuple[Issuer, ...]:
    """The issuers of an issuers file's text; ``source`` names it in messages.

    Raise :class:`IssuersError` holding every problem, each as ``file:line: message``.
    """
    from authorizer.yaml_source import YamlProblem, load_versioned_list, located

    try:
        _, raw_issuers = load_versioned_list(
            text, version=ISSUERS_VERSION, list_key="issuers", keys=TOP_LEVEL_KEYS
        )
    except YamlProblem as problem:
        raise IssuersError([located(source, problem.line, str(problem))]) from None
    problems: list[tuple[int, str]] = []
    if len(raw_issuers) > MAX_ISSUERS:
        problems.append((raw_issuers.line, f"'issuers' lists {len(raw_issuers)} issuers; at most {MAX_ISSUERS}"))
    issuers: list[Issuer] = []
    seen: dict[str, int] = {}
    for position, (raw, line) in enumerate(zip(raw_issuers, raw_issuers.item_lines), start=1):
        entry = _Entry(raw, line, position, default_profiles)
        problems.extend(entry.problems)
        if entry.issuer is None:
            continue
        earlier = seen.get(entry.issuer.issuer)
        if earlier is not None:
            problems.append((line, f"issuer {position} ({entry.issuer.issuer}) is already listed on line "
                                   f"{earlier}; list each issuer once, with all its audiences"))
            continue
        seen[entry.issuer.issuer] = line
        issuers.append(entry.issuer)
    if problems:
        raise IssuersError([located(source, line, message) for line, message in sorted(problems, key=lambda p: p[0])])
    return tuple(issuers)


def read_issuers_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of an issuers file (or of its compiled form), or an IssuersError naming the file."""
    try:
        if path.stat().st_size > max_bytes:
            raise IssuersError([f"{path}: the issuers file is larger than {max_bytes // 1024} KiB"])
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IssuersError([f"{path}: issuers file not found; fix ISSUERS_FILE or add the file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise IssuersError([f"{path}: cannot read the issuers file ({error.__class__.__name__})"]) from None


def load_issuers(path: Path, *, default_profiles: tuple[str, ...]) -> tuple[Issuer, ...]:
    """Read an issuers file (raise :class:`IssuersError`), from its compiled form if it can.

    With ``issuers.compiled.json`` beside ``issuers.yaml`` (what the build writes), the issuers come
    from that form, which must have been compiled from this very text
    (:mod:`authorizer.compiled_issuers`); without one, the file is compiled here, with PyYAML.
    """
    from authorizer.compiled_form import compiled_file_name

    text = read_issuers_text(path)
    compiled = Path(compiled_file_name(str(path)))
    if compiled.is_file():
        from authorizer.compiled_issuers import load_compiled_issuers

        return load_compiled_issuers(compiled, source_text=text, default_profiles=default_profiles)
    return compile_issuers(text, str(path), default_profiles=default_profiles)


def configured_issuers(settings: Settings) -> tuple[Issuer, ...]:
    """Every issuer ``settings`` trust: the issuers file's, or TOKEN_ISSUER's alone."""
    if settings.issuers_file is not None:
        return load_issuers(settings.issuers_file, default_profiles=settings.token.profiles)
    token = settings.token
    return (Issuer(token.issuer, token.audiences, settings.jwks.uri, token.profiles),)
