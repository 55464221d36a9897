"""The JWKS URLs of a compiled issuers file, read at Lambda's init with ``json`` and ``hashlib`` only.

:mod:`authorizer.lambda_init` starts fetching every issuer's keys before the rest of the authorizer
is imported; PyYAML and the issuers' own modules are not imported yet, so it reads the build's
``issuers.compiled.json`` (:mod:`authorizer.compiled_issuers` writes and loads it) for the URLs
alone. The file is used only as the cold start will use it: beside the issuers file, of this
format and version, compiled from that file's very text, listing at most
:data:`~authorizer.fetch_url.MAX_ISSUERS` issuers, each URL one that keys may be fetched from
(:func:`~authorizer.fetch_url.check_fetch_url`). Otherwise nothing is fetched early: the cold start
reads the file and reports what is wrong with it.
"""

from __future__ import annotations

import json
import os

from authorizer.compiled_form import compiled_file_name, text_sha256
from authorizer.fetch_url import MAX_ISSUERS, check_fetch_url

FORMAT = "scopegate-compiled-issuers"
FORMAT_VERSION = 1
MAX_COMPILED_BYTES = 1024 * 1024  # 32 issuers compile to a few KiB
MAX_SOURCE_BYTES = 1024 * 1024  # only a bound on what init reads: the cold start holds the file to its own


def _read_text(path: str, max_bytes: int) -> str | None:
    """The text of ``path`` as :meth:`pathlib.Path.read_text` reads it, or None."""
    try:
        if os.stat(path).st_size > max_bytes:
            return None
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, ValueError):
        return None


def compiled_jwks_uris(issuers_file: str) -> tuple[str, ...]:
    """Each JWKS URL the compiled form of ``issuers_file`` lists, once, in the file's order; ()
    when there is no usable compiled form beside it (the cold start then says why, if anything)."""
    source = _read_text(issuers_file, MAX_SOURCE_BYTES)
    compiled = _read_text(compiled_file_name(issuers_file), MAX_COMPILED_BYTES)
    if source is None or compiled is None:
        return ()
    try:
        document = json.loads(compiled)
    except (ValueError, RecursionError):
        return ()
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or document.get("version") != FORMAT_VERSION
        or document.get("source_sha256") != text_sha256(source)
    ):
        return ()
    entries = document.get("issuers")
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_ISSUERS:
        return ()
    uris: dict[str, None] = {}
    for entry in entries:
        uri = entry.get("jwks_uri") if isinstance(entry, dict) else None
        if not isinstance(uri, str) or check_fetch_url(uri) is not None:
            return ()  # a damaged file: nothing early, the cold start refuses it
        uris[uri] = None
    return tuple(uris)
