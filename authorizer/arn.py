"""Parse and format execute-api method ARNs (pure).

A TOKEN authorizer receives ``methodArn`` in the form::

    arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<VERB>/<path>

The path is the *actual* request path (parameter values substituted) and may
itself contain ``:`` and ``/``, so the ARN is split on the first five colons
only, then the last part on the first three slashes. Everything before the
verb comes from API Gateway and is validated strictly, because it becomes the
literal prefix of every policy resource: a ``*`` there would widen the policy.
The path is client-controlled and is never put into a policy.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from authorizer.errors import BadMethodArn

_PARTITION = re.compile(r"aws(-[a-z]+)*")
_REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+")
_ACCOUNT = re.compile(r"[0-9]{12}")
_API_ID = re.compile(r"[a-z0-9]{1,64}")
_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_VERB = re.compile(r"[A-Z]{1,16}")


class ApiStage(NamedTuple):
    """The part of a method ARN that names one deployed API stage."""

    partition: str
    region: str
    account: str
    api_id: str
    stage: str

    @property
    def prefix(self) -> str:
        """``arn:...:<apiId>/<stage>``: the literal start of every resource."""
        return (
            f"arn:{self.partition}:execute-api:{self.region}:{self.account}:"
            f"{self.api_id}/{self.stage}"
        )

    def resource(self, method: str, path: str) -> str:
        """The ARN of ``method`` on ``path`` (``path`` starts with ``/``)."""
        return f"{self.prefix}/{method}{path}"


class MethodArn(NamedTuple):
    """A parsed method ARN: the API stage, the verb and the request path."""

    api: ApiStage
    method: str
    path: str  # always starts with "/"; "/" for the root resource

    @property
    def arn(self) -> str:
        return self.api.resource(self.method, self.path)


def parse_method_arn(value: object) -> MethodArn:
    """Parse a methodArn; raise :class:`BadMethodArn` if it is not one.

    >>> parse_method_arn("arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/orders/1").path
    '/orders/1'
    """
    if not isinstance(value, str):
        raise BadMethodArn("methodArn is missing or not a string")
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api":
        raise BadMethodArn("methodArn is not an execute-api ARN")
    _, partition, _, region, account, rest = parts
    pieces = rest.split("/", 3)
    if len(pieces) < 3:
        raise BadMethodArn("methodArn has no stage or verb")
    api_id, stage, verb = pieces[0], pieces[1], pieces[2]
    path = "/" + (pieces[3] if len(pieces) == 4 else "")
    api = _api_stage(partition, region, account, api_id, stage)
    if not _VERB.fullmatch(verb):
        raise BadMethodArn("methodArn has an invalid verb")
    return MethodArn(api, verb, path)


@lru_cache(maxsize=64)
def _api_stage(partition: str, region: str, account: str, api_id: str, stage: str) -> ApiStage:
    """The validated API stage; memoized, since a container serves few stages (refusals are not)."""
    checks = (
        (_PARTITION, partition, "partition"),
        (_REGION, region, "region"),
        (_ACCOUNT, account, "account"),
        (_API_ID, api_id, "api id"),
        (_STAGE, stage, "stage"),
    )
    for pattern, text, name in checks:
        if not pattern.fullmatch(text):
            raise BadMethodArn(f"methodArn has an invalid {name}")
    return ApiStage(partition, region, account, api_id, stage)
