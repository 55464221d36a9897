"""What a scope name is (pure): RFC 6749 §3.3 ``scope-token``, ``%x21 / %x23-5B / %x5D-7E``.

One definition for tokens (:mod:`authorizer.tokens`) and rules (:mod:`authorizer.rules`). It has
no imports of its own, so the rules compile (``python -m authorizer.compiled_rules`` at build time,
for any Lambda architecture) without loading ``cryptography``'s native code.
"""

from __future__ import annotations

import re

SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")
