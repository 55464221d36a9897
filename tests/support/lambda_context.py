"""A LambdaContext stand-in with the attributes the handler reads."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_ids = itertools.count(1)


@dataclass
class FakeLambdaContext:
    function_name: str = "scopegate-authorizer"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:scopegate-authorizer"
    aws_request_id: str = field(default_factory=lambda: f"req-{next(_ids):06d}")
