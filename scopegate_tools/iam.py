"""Evaluate an authorizer policy against a method ARN as API Gateway does (pure).

Used by the test suite, the rules tools and the local gateway. IAM semantics:

* a statement applies when its Action and its Resource (or NotResource)
  match; ``*`` is any run of characters (``/`` and ``:`` included) and ``?``
  one character (the matcher of :mod:`authorizer.glob_pattern`, linear in the ARN); resources
  match case-sensitively, actions case-insensitively;
* an applicable ``Deny`` wins; else an applicable ``Allow`` allows; else the
  request is implicitly denied;
* ``Effect`` is case-sensitive: anything but ``Allow``/``Deny`` is invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from authorizer.glob_pattern import compile_glob


class Verdict(StrEnum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


class InvalidPolicy(ValueError):
    """The document is not a policy API Gateway would accept (it answers 500)."""


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    if ignore_case:
        return compile_glob(pattern.lower()).matches(value.lower())
    return compile_glob(pattern).matches(value)


def _as_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise InvalidPolicy(f"{what} must be a string or a non-empty list of strings")


def _statement_applies(statement: Mapping[str, Any], method_arn: str) -> bool:
    if "Action" in statement:
        actions = _as_list(statement["Action"], "Action")
        if not any(glob_matches(a, "execute-api:Invoke", ignore_case=True) for a in actions):
            return False
    elif "NotAction" in statement:
        actions = _as_list(statement["NotAction"], "NotAction")
        if any(glob_matches(a, "execute-api:Invoke", ignore_case=True) for a in actions):
            return False
    else:
        raise InvalidPolicy("statement has neither Action nor NotAction")
    if "Resource" in statement:
        return any(glob_matches(r, method_arn) for r in _as_list(statement["Resource"], "Resource"))
    if "NotResource" in statement:
        resources = _as_list(statement["NotResource"], "NotResource")
        return not any(glob_matches(r, method_arn) for r in resources)
    raise InvalidPolicy("statement has neither Resource nor NotResource")


def evaluate_policy(document: Any, method_arn: str) -> Verdict:
    """API Gateway's verdict for ``method_arn`` under ``document``.

    Raises :class:`InvalidPolicy` for a malformed document.
    """
    if not isinstance(document, Mapping):
        raise InvalidPolicy("policyDocument must be an object")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise InvalidPolicy("Statement must be a non-empty list")
    applying: list[str] = []
    for statement in statements:  # validate every statement before deciding
        if not isinstance(statement, Mapping):
            raise InvalidPolicy("each statement must be an object")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise InvalidPolicy("Effect must be exactly 'Allow' or 'Deny'")
        if "Condition" in statement:
            raise InvalidPolicy("Condition is not supported by this evaluator")
        if _statement_applies(statement, method_arn):
            applying.append(effect)
    if "Deny" in applying:
        return Verdict.EXPLICIT_DENY
    return Verdict.ALLOW if applying else Verdict.IMPLICIT_DENY
