"""template.yaml opens no route that skips scopegate: every route is guarded, or declared public here.

The same audit as ``python -m scopegate_tools check`` (scopegate_tools/cli/route_audit.py), so CI fails
on a route on SAM's implicit API, an HttpApi event, another authorizer, a function URL... in the
shipped template. The events are also counted from the raw template, independently of the reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import loads

from scopegate_tools.cli.route_audit import Problem, audit_routes
from scopegate_tools.sam_template import load_template

REPO = Path(__file__).resolve().parents[2]
TEXT = (REPO / "template.yaml").read_text()
RESOURCES: dict[str, Any] = loads(TEXT, "template.yaml")["Resources"]

# A public route is a decision: list it here (function, event) when you declare one.
PUBLIC_ROUTES: list[tuple[str, str]] = []


def test_every_route_of_the_shipped_template_reaches_scopegate_or_is_declared_public() -> None:
    audit = audit_routes(load_template(REPO / "template.yaml"))
    assert [problem.message for problem in audit.problems] == []
    assert [(route.function, route.event) for route in audit.public] == PUBLIC_ROUTES


def test_every_event_of_the_shipped_template_is_a_rest_api_route_the_audit_sees() -> None:
    # GIVEN every event of every function, read from the raw template
    events = {
        (function, name): event["Type"]
        for function, resource in RESOURCES.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for name, event in (resource["Properties"].get("Events") or {}).items()
    }
    # THEN each is an Api event, and the audit counts each as guarded or public
    assert set(events.values()) == {"Api"}
    audit = audit_routes(load_template(REPO / "template.yaml"))
    assert {(r.function, r.event) for r in (*audit.guarded, *audit.public)} == set(events)


@pytest.mark.parametrize(
    ("original", "variant", "problem"),
    [
        pytest.param("RestApiId: !Ref Api, Path: /orders, Method: get", "Path: /orders, Method: get",
                     Problem.IMPLICIT_API, id="implicit API"),
        pytest.param("Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /hello",
                     "Type: HttpApi\n          Properties:\n            Path: /hello",
                     Problem.HTTP_API, id="HttpApi event"),
        pytest.param("Path: /orders, Method: post}", "Path: /orders, Method: post, Auth: {Authorizer: AWS_IAM}}",
                     Problem.OTHER_AUTHORIZER, id="another authorizer"),
    ],
)
def test_the_audit_would_fail_ci_on_a_shipped_template_with_such_a_route(
    tmp_path: Path, original: str, variant: str, problem: Problem
) -> None:
    # GIVEN the shipped template with one route changed
    assert TEXT.count(original) == 1
    path = tmp_path / "template.yaml"
    path.write_text(TEXT.replace(original, variant))
    # THEN the audit reports exactly that route
    assert [p.problem for p in audit_routes(load_template(path)).problems] == [problem]
