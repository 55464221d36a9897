"""Where a compiled file sits and what binds it to its source (pure; ``hashlib`` and ``os.path`` only).

The build compiles the rules (:mod:`authorizer.compiled_rules`) and the issuers file
(:mod:`authorizer.compiled_issuers`) into ``<name>.compiled.json`` beside each, holding the SHA-256
of the text it was compiled from. These helpers import nothing else, so that Lambda's init can
find and check the compiled issuers file before the rest of the authorizer is imported
(:mod:`authorizer.issuer_uris`).
"""

from __future__ import annotations

import hashlib
import os

COMPILED_SUFFIX = ".compiled.json"


def compiled_file_name(source: str) -> str:
    """Where the compiled form of ``source`` sits: ``policies/rules.yaml`` -> ``policies/rules.compiled.json``."""
    return os.path.splitext(source)[0] + COMPILED_SUFFIX


def is_compiled_name(name: str) -> bool:
    return name.endswith(COMPILED_SUFFIX)


def text_sha256(text: str) -> str:
    """The SHA-256 a compiled file is bound to: that of its source's text (as read, UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
