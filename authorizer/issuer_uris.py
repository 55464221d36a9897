"""What marks a compiled issuers file (:mod:`authorizer.compiled_issuers`), importing nothing.

Kept apart so that a reader of the file needs neither PyYAML nor the issuers' own modules.
"""

from __future__ import annotations

FORMAT = "scopegate-compiled-issuers"
FORMAT_VERSION = 1
MAX_COMPILED_BYTES = 1024 * 1024  # 32 issuers compile to a few KiB
