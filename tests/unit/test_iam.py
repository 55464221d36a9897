"""scopegate_tools.iam: API Gateway's policy evaluation, on the cases other simulators get wrong."""

from __future__ import annotations

import pytest

from scopegate_tools.iam import InvalidPolicy, Verdict, evaluate_policy

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/Dev/GET/orders/1/items"
BASE = "arn:aws:execute-api:us-east-1:123456789012:abc123/Dev"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource, action="execute-api:Invoke") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(resource) -> dict:
    return {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resource}


@pytest.mark.parametrize(
    "document, arn, verdict",
    [
        (doc(allow(f"{BASE}/GET/orders/*")), ARN, Verdict.ALLOW),
        (doc(allow(f"{BASE}/POST/orders/*")), ARN, Verdict.IMPLICIT_DENY),
        (doc(allow(f"{BASE}/GET/orders/*"), deny(ARN)), ARN, Verdict.EXPLICIT_DENY),
        (doc(deny(ARN), allow(f"{BASE}/GET/orders/*")), ARN, Verdict.EXPLICIT_DENY),
        (doc(allow(f"{BASE}/GET/orders/*"), deny(f"{BASE}/GET/x")), ARN, Verdict.ALLOW),
        (doc(allow(f"{BASE}/GET/orders/*", action="Execute-API:invoke")), ARN, Verdict.ALLOW),
        (doc(allow(f"{BASE}/GET/orders/?")), f"{BASE}/GET/orders/7", Verdict.ALLOW),
        (doc(allow(f"{BASE}/GET/files/a.b")), f"{BASE}/GET/files/aXb", Verdict.IMPLICIT_DENY),
        (doc(allow(f"{BASE}/GET/files/a+b")), f"{BASE}/GET/files/a+b", Verdict.ALLOW),
        (doc(allow(f"{BASE}/GET/Orders/*")), f"{BASE}/GET/orders/1", Verdict.IMPLICIT_DENY),
        (doc(allow(f"{BASE}/GET/orders/*")), f"{BASE}/GET/orders", Verdict.IMPLICIT_DENY),
        (doc(allow(f"{BASE}/*/hello")), f"{BASE}/GET/x/hello", Verdict.ALLOW),
        (doc(allow("*")), ARN, Verdict.ALLOW),
        (doc({"Effect": "Deny", "Action": "execute-api:Invoke", "NotResource": f"{BASE}/GET/*"}), f"{BASE}/POST/x", Verdict.EXPLICIT_DENY),
        ({"Version": "2012-10-17", "Statement": allow([ARN])}, ARN, Verdict.ALLOW),
        (doc(allow([f"{BASE}/GET/a", ARN])), ARN, Verdict.ALLOW),
        (doc(allow(ARN, action="execute-api:InvalidateCache")), ARN, Verdict.IMPLICIT_DENY),
    ],
)
def test_evaluate_policy_follows_iam_semantics(document: dict, arn: str, verdict: Verdict) -> None:
    assert evaluate_policy(document, arn) is verdict


@pytest.mark.parametrize(
    "document",
    [
        None,
        {"Statement": []},
        doc({"Effect": "allow", "Action": "execute-api:Invoke", "Resource": ARN}),
        doc({"Effect": "Allow", "Resource": ARN}),
        doc({"Effect": "Allow", "Action": "execute-api:Invoke"}),
        doc({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": []}),
        doc(allow(ARN), "not a statement"),
    ],
)
def test_evaluate_policy_refuses_malformed_documents(document: object) -> None:
    with pytest.raises(InvalidPolicy):
        evaluate_policy(document, ARN)
