"""check on OpenAPI documents and CloudFormation templates: guarded, public and refused methods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.cli.conftest import run_cli

REPO = Path(__file__).resolve().parents[3]
EXPORT = REPO / "examples" / "terraform" / "exported-api.json"
SYNTHESIZED = REPO / "examples" / "cdk" / "ScopegateExample.template.json"
RULES = str(REPO / "policies" / "rules.yaml")


def check_json(*argv: str) -> tuple[int, dict]:
    result = run_cli("check", "--rules", RULES, "--format", "json", *argv)
    return result.code, json.loads(result.out)


def test_export_is_refused_until_authorizer_function_names_scopegate() -> None:
    # GIVEN an export whose authorizer is known only by its ARN WHEN checked without naming the function
    code, report = check_json("--openapi", str(EXPORT))
    # THEN every method behind it is refused with the option to use, and none is taken as guarded
    assert (code, report["routes"]) == (1, [])
    problems = {(p["problem"], p["resource"]) for p in report["unguarded_routes"]}
    assert {kind for kind, _ in problems} == {"UNKNOWN_AUTHORIZER"} and len(problems) == 7
    assert all("--authorizer-function NAME" in p["message"] for p in report["unguarded_routes"])


@pytest.mark.parametrize("name", [
    "scopegate-authorizer", "arn:aws:lambda:eu-west-1:123456789012:function:scopegate-authorizer",
])
def test_export_with_authorizer_function_guards_every_route_but_the_declared_public_one(name: str) -> None:
    code, report = check_json("--openapi", str(EXPORT), "--authorizer-function", name, "--strict")
    assert (code, report["errors"], report["unguarded_routes"]) == (0, [], [])
    assert [r["route"] for r in report["routes"]] == [
        "GET /hello", "GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}",
        "ANY /orders/{id}/notes", "POST /orders/{id}/refunds",
    ]
    assert report["public_routes"] == [{"route": "GET /health", "function": "paths./health.get", "event": "-", "line": 19}]


def test_another_function_name_makes_the_routes_another_authorizers() -> None:
    code, report = check_json("--openapi", str(EXPORT), "--authorizer-function", "scopegate")
    assert code == 1
    assert report["unguarded_routes"][0]["message"] == (
        "paths./hello.get (GET /hello) asks for scopegate, a TOKEN authorizer on "
        "arn:aws:lambda:eu-west-1:123456789012:function:scopegate-authorizer, not the function "
        "--authorizer-function names (scopegate): rules.yaml does not apply to it; give it "
        "security: [{<a security scheme whose x-amazon-apigateway-authorizer runs scopegate>: []}] (or the whole document)"
    )


def test_cdk_synth_output_passes_check_by_the_functions_handler() -> None:
    code, report = check_json("--cloudformation", str(SYNTHESIZED), "--strict")
    assert (code, report["errors"]) == (0, [])
    assert len(report["routes"]) == 6
    assert [p["route"] for p in report["public_routes"]] == ["GET /health"]


OPENAPI = """\
openapi: 3.0.1
info: {title: shop, version: "1"}
paths:
  /open:
    get: {}
  /signed:
    get:
      security: [{iam: []}]
  /gated:
    get:
      security: [{gate: []}]
  /wrong:
    get:
      security: [{wrongshape: []}]
  /typo:
    get:
      security: [{gaet: []}]
components:
  securitySchemes:
    iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
    gate:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {type: token, authorizerUri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:1:function:gate/invocations"}
    wrongshape:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {type: request, identitySource: method.request.header.Authorization, authorizerUri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:1:function:gate/invocations"}
"""


def test_every_way_a_method_escapes_scopegate_is_an_error_with_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(OPENAPI)
    result = run_cli("check", "--rules", RULES, "--openapi", str(path), "--authorizer-function", "gate")
    errors = [line.removeprefix("error: ") for line in result.out.splitlines() if line.startswith("error: ") and "shop.yaml" in line]
    assert result.code == 1
    assert errors == [
        f"{path}:5: paths./open.get (GET /open) has no authorizer: anyone can call it; give it "
        "security: [{gate: []}] (or the whole document), or, if it must be public, write security: [] on it",
        f"{path}:7: paths./signed.get (GET /signed) asks for iam, IAM authorization, not scopegate: rules.yaml "
        "does not apply to it; give it security: [{gate: []}] (or the whole document)",
        f"{path}:13: paths./wrong.get (GET /wrong) asks for wrongshape, a REQUEST authorizer on scopegate's "
        "function with identity sources method.request.header.Authorization; scopegate's REQUEST mode needs "
        "exactly context.httpMethod, context.resourcePath, method.request.header.Authorization (its cache key "
        "must hold the route): rules.yaml does not apply to it; give it security: [{gate: []}] (or the whole document)",
        f"{path}:16: paths./typo.get (GET /typo) asks for the authorizer gaet, which the OpenAPI document does "
        "not define; give it security: [{gate: []}] (or the whole document)",
    ]


def test_cloudformation_method_left_open_without_the_public_metadata_is_an_error(tmp_path: Path) -> None:
    # GIVEN the synthesized template with /health's metadata removed (NONE alone is CDK's default)
    template = json.loads(SYNTHESIZED.read_text())
    del template["Resources"]["ApihealthGET8A9DC1E4"]["Metadata"]["scopegate"]
    path = tmp_path / "stack.template.json"
    path.write_text(json.dumps(template, indent=1))
    # WHEN checked THEN the method is an error naming it, its line and both fixes
    code, report = check_json("--cloudformation", str(path))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"ApihealthGET8A9DC1E4": {' in text)
    assert code == 1
    assert [(p["problem"], p["line"], p["message"]) for p in report["unguarded_routes"]] == [(
        "UNGUARDED_API", line,
        "ApihealthGET8A9DC1E4 (ScopegateExample/Api/Default/health/GET/Resource) (GET /health) has no authorizer: "
        "anyone can call it; set AuthorizationType: CUSTOM and AuthorizerId: !Ref ScopegateDD99B142 (CDK: "
        "authorizer: scopegate's TokenAuthorizer or RequestAuthorizer), or, if it must be public, add Metadata: "
        "{scopegate: public} to it (CDK: (method.node.defaultChild as CfnResource).addMetadata('scopegate', 'public'))",
    )]


def test_authorizer_function_with_a_sam_template_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", "--template", str(REPO / "template.yaml"), "--authorizer-function", "x")
    assert (result.code, result.err) == (2, (
        "error: --authorizer-function goes with --openapi or --cloudformation; a SAM template's authorizer "
        "is recognised by its function's Handler (authorizer.app.lambda_handler)\n"
    ))


PER_ROUTE_OPENAPI = """\
openapi: 3.0.1
info: {title: shop, version: "1"}
security: [{gate: []}]
paths:
  /orders/{id}:
    get: {}
  /orders:
    get: {}
components:
  securitySchemes:
    gate:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: method.request.header.Authorization, context.httpMethod, context.resourcePath
        authorizerUri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:1:function:gate/invocations"
"""


def test_a_per_route_request_authorizer_guards_its_routes_and_check_sizes_each_routes_policy(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(PER_ROUTE_OPENAPI)
    result = run_cli("check", "--rules", RULES, "--openapi", str(path), "--authorizer-function", "gate", "--format", "json")
    report = json.loads(result.out)
    assert [route["route"] for route in report["routes"]] == ["GET /orders/{id}", "GET /orders"]
    assert report["unguarded_routes"] == []
    assert (report["policy"]["per_route"], report["policy"]["route_of_largest"]) == (True, "GET /orders")


def test_parameter_overrides_with_an_openapi_document_is_a_usage_error() -> None:
    result = run_cli("check", "--openapi", str(EXPORT), "--parameter-overrides", "AuthorizerMode=REQUEST")
    assert (result.code, result.err) == (2, "error: --parameter-overrides goes with a SAM template (--template)\n")


def test_explain_test_diff_and_matrix_read_the_openapi_routes() -> None:
    args = ("--rules", RULES, "--openapi", str(EXPORT), "--authorizer-function", "scopegate-authorizer")
    explained = run_cli("explain", "DELETE /orders/42", *args, "--format", "json")
    assert explained.code == 0
    assert json.loads(explained.out)["goes_to"] == "route DELETE /orders/{id} of the template (line 115)"
    tests = str(REPO / "policies" / "rules_test.yaml")
    # the tables list what each client may call, so the export's extra route fails exactly there
    tables = run_cli("test", *args, "--tests", tests, "--format", "json")
    failed = {case["route"] for case in json.loads(tables.out)["cases"] if not case["passed"]}
    assert (tables.code, failed) == (1, {"ANY /orders/{id}/notes"})
    diff = run_cli("diff", RULES, RULES, *args[2:], "--tests", tests, "--format", "json")
    assert (diff.code, json.loads(diff.out)["changes"]) == (0, [])
    matrix = run_cli("matrix", *args, "--tests", str(REPO / "policies" / "rules_test.yaml"), "--format", "json")
    assert matrix.code == 0
    assert json.loads(matrix.out)["routes"] == [
        "GET /hello", "GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}",
        "ANY /orders/{id}/notes", "POST /orders/{id}/refunds",
    ]
