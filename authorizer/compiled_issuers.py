"""The compiled form of an issuers file: its :class:`~authorizer.issuers.Issuer` records as JSON (pure but for files).

``make sam-build`` compiles the packaged ``policies/issuers.yaml`` with this package's own compiler
(:func:`authorizer.issuers.compile_issuers`) and writes ``policies/issuers.compiled.json`` beside it
(``python -m authorizer.compiled_issuers SOURCE TARGET``). A cold start then reads the issuers
without PyYAML, and Lambda's init reads their JWKS URLs from it to fetch every issuer's keys from
its first line (:mod:`authorizer.issuer_uris`).

The file holds every field of every issuer (:data:`FIELDS`, the order of
:class:`~authorizer.issuers.Issuer`'s fields), a format and version, and the SHA-256 of the text it
was compiled from. An entry without ``profiles`` is written with ``null``: it takes TOKEN_PROFILES
of the settings that load it, as the YAML's entry would. :func:`authorizer.issuers.load_issuers`
uses the file only when it sits beside the issuers file the settings name and that file's text
still has that SHA-256; any other mismatch, a version or a field this code does not know, a value
the issuers file could not hold, is an :class:`~authorizer.issuers.IssuersError` that names the
file and says to rebuild. The build loads what it wrote and checks it equals what it compiled.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from authorizer.compiled_form import compiled_file_name, text_sha256
from authorizer.config import SUPPORTED_PROFILES, issuer_url_problems
from authorizer.fetch_url import MAX_ISSUERS, check_fetch_url
from authorizer.issuer_uris import FORMAT, FORMAT_VERSION, MAX_COMPILED_BYTES
from authorizer.issuers import Issuer, IssuersError, compile_issuers, read_issuers_text

REBUILD = "rebuild it (make sam-build) or remove it to compile the issuers file at start-up"
FIELDS = ("issuer", "audiences", "jwks_uri", "profiles", "line")  # Issuer's, in order (a test checks)
_TOP_LEVEL = frozenset({"format", "version", "source", "source_sha256", "issuers"})
# compiled with no default profiles, an entry without 'profiles' has none: written as null
_UNSET_PROFILES: tuple[str, ...] = ()


class _Invalid(ValueError):
    """Where and why the compiled file cannot be used (made into an IssuersError by the loader)."""


def compiled_path_for(issuers_file: Path) -> Path:
    """Where the compiled form of ``issuers_file`` sits: ``issuers.yaml`` -> ``issuers.compiled.json``."""
    return Path(compiled_file_name(str(issuers_file)))


def compile_for_build(text: str, source: str) -> tuple[Issuer, ...]:
    """The issuers of ``text`` as the build compiles them: an entry without ``profiles`` has none
    (the settings that load the compiled file give it TOKEN_PROFILES). Raises IssuersError."""
    return compile_issuers(text, source, default_profiles=_UNSET_PROFILES)


def dump_compiled_issuers(issuers: tuple[Issuer, ...], source: str, source_text: str) -> str:
    """The compiled file for ``issuers``, compiled by :func:`compile_for_build` from ``source_text``."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "source": source,
        "source_sha256": text_sha256(source_text),
        "issuers": [
            {"issuer": issuer.issuer, "audiences": list(issuer.audiences), "jwks_uri": issuer.jwks_uri,
             "profiles": list(issuer.profiles) or None, "line": issuer.line}
            for issuer in issuers
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _strings(raw: Any, name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if type(raw) is not list or not raw or not all(type(item) is str and item and item.strip() == item for item in raw):
        raise _Invalid(f"{name}: must be a non-empty list of non-empty strings without surrounding spaces")
    if len(set(raw)) != len(raw):
        raise _Invalid(f"{name}: lists a value twice")
    if allowed is not None and not set(raw) <= set(allowed):
        raise _Invalid(f"{name}: each must be one of {', '.join(allowed)}")
    return tuple(raw)


def _read_issuer(raw: Any, default_profiles: tuple[str, ...]) -> Issuer:
    if type(raw) is not dict or raw.keys() != set(FIELDS):
        raise _Invalid(f"must be an object with exactly {', '.join(FIELDS)}")
    issuer, jwks_uri, line = raw["issuer"], raw["jwks_uri"], raw["line"]
    if type(issuer) is not str or not issuer or issuer_url_problems(issuer):
        raise _Invalid("issuer: must be an issuer URL the issuers file could hold")
    if type(jwks_uri) is not str or check_fetch_url(jwks_uri) is not None:
        raise _Invalid("jwks_uri: must be a URL keys may be fetched from")
    if type(line) is not int or line < 1:
        raise _Invalid("line: must be a line number")
    audiences = _strings(raw["audiences"], "audiences")
    profiles = default_profiles if raw["profiles"] is None else _strings(raw["profiles"], "profiles", SUPPORTED_PROFILES)
    return Issuer(issuer, audiences, jwks_uri, profiles, line)


def parse_compiled_issuers(text: str, *, source_sha256: str, default_profiles: tuple[str, ...]) -> tuple[Issuer, ...]:
    """The issuers a compiled file holds, which must have been compiled from the text with
    ``source_sha256``; an entry without profiles takes ``default_profiles``. Raises ``ValueError``."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _Invalid("is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _Invalid(f"is not a compiled issuers file (no \"format\": \"{FORMAT}\")")
    if document.get("version") != FORMAT_VERSION or document.keys() != _TOP_LEVEL:
        raise _Invalid(f"was written by another version of scopegate (format {document.get('version')!r})")
    for name in ("source", "source_sha256"):
        if type(document[name]) is not str:
            raise _Invalid(f"'{name}' must be a string")
    if document["source_sha256"] != source_sha256:
        raise _Invalid(f"was compiled from another version of {document['source']}")
    raw_issuers = document["issuers"]
    if type(raw_issuers) is not list or not 0 < len(raw_issuers) <= MAX_ISSUERS:
        raise _Invalid(f"'issuers' must be a list of 1 to {MAX_ISSUERS} issuers")
    issuers: list[Issuer] = []
    for number, raw in enumerate(raw_issuers, start=1):
        try:
            issuers.append(_read_issuer(raw, default_profiles))
        except _Invalid as problem:
            raise _Invalid(f"issuer {number}: {problem}") from None
    if len({issuer.issuer for issuer in issuers}) != len(issuers):
        raise _Invalid("lists an issuer twice")
    return tuple(issuers)


def load_compiled_issuers(path: Path, *, source_text: str, default_profiles: tuple[str, ...]) -> tuple[Issuer, ...]:
    """Read a compiled file, which must have been compiled from ``source_text`` (raise IssuersError)."""
    text = read_issuers_text(path, MAX_COMPILED_BYTES)
    try:
        return parse_compiled_issuers(text, source_sha256=text_sha256(source_text), default_profiles=default_profiles)
    except _Invalid as problem:
        raise IssuersError([f"{path}: {problem}; {REBUILD}"]) from None


def compile_issuers_file(source: Path, target: Path) -> tuple[Issuer, ...]:
    """Compile ``source`` into ``target``, then load ``target`` back: it must give the same issuers."""
    text = read_issuers_text(source)
    issuers = compile_for_build(text, str(source))
    target.write_text(dump_compiled_issuers(issuers, str(source), text), encoding="utf-8")
    if load_compiled_issuers(target, source_text=text, default_profiles=_UNSET_PROFILES) != issuers:
        raise IssuersError([f"{target}: the compiled issuers do not load back as compiled"])
    return issuers


def main(argv: list[str]) -> int:
    """``python -m authorizer.compiled_issuers SOURCE TARGET`` (the build's step; see the Makefile)."""
    if len(argv) != 2:
        print("usage: python -m authorizer.compiled_issuers ISSUERS_YAML COMPILED_JSON", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    try:
        issuers = compile_issuers_file(source, target)
    except IssuersError as problem:
        print(f"cannot compile the issuers file: {'; '.join(problem.problems)}", file=sys.stderr)
        return 1
    print(f"compiled {len(issuers)} issuers from {source} into {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
