"""`sam build` artifacts run on their own: the authorizer decides from its build folder.

``make test`` runs ``sam build`` (``make sam-build``) before pytest; these tests then run the
artifacts in .aws-sam/build with the Lambda runtime's Python (python3.13, as template.yaml says),
in a subprocess whose only path into the project is the artifact (``python -S``, PYTHONPATH = the
artifact, working folder outside the repository), against a JWKS server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from authorizer.caller import Caller
from authorizer.arn import parse_method_arn
from authorizer.policy import build_policy_document
from authorizer.compiled_rules import load_compiled_rules
from authorizer.resource_path import parse_resource_path
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import compile_rules, load_rules
from scopegate_tools.sam_template import load_template
from tests.packaging.lambda_run import find_lambda_python, run_driver
from tests.support.jwks_server import JwksServer
from tests.support.keys import SigningKey
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint
from tests.support.request_events import request_event

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / ".aws-sam" / "build"
ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
ARTIFACT_MODULES = ("authorizer", "yaml", "aws_lambda_powertools", "cryptography")
TEMPLATE = load_template(REPO / "template.yaml")
LAMBDA_VERSION = str(TEMPLATE.functions["AuthorizerFunction"].runtime).removeprefix("python")


@pytest.fixture(scope="module")
def lambda_python() -> str:
    found = find_lambda_python(LAMBDA_VERSION)
    if found is None:
        pytest.skip(f"python{LAMBDA_VERSION} (the template's Runtime) is not installed here, so sam build did not run")
    return found


@pytest.fixture(scope="module")
def build(lambda_python: str) -> Path:
    if not (BUILD / "template.yaml").is_file():
        why = "no sam build output in .aws-sam/build: run `make sam-build` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(why)  # CI runs make test, which builds: a missing build is a failure there
        pytest.skip(why)
    return BUILD


def run_in_artifact(python: str, artifact: Path, scratch: Path, *args: str, stdin: str = "",
                    env: dict[str, str] | None = None) -> tuple[Any, str]:
    """Run the driver inside ``artifact`` (and its function's built layers, as Lambda's /opt/python);
    return (its result file's JSON, its stdout)."""
    spec = TEMPLATE.functions.get(artifact.name)
    layers = [str(artifact.parent / layer_id / "python") for layer_id in (spec.layer_ids if spec else ())]
    return run_driver(python, artifact, scratch, *args, stdin=stdin, env=env, layers=layers)


def digests(root: Path, pattern: str) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.glob(pattern))
    }


def test_authorizer_artifact_holds_the_package_and_the_rules_where_config_reads_them(build: Path) -> None:
    # GIVEN the authorizer's artifact WHEN compared with the sources THEN they are the same files
    artifact = build / "AuthorizerFunction"
    assert digests(artifact, "authorizer/*.py") == digests(REPO, "authorizer/*.py"), "stale build: run make sam-build"
    assert digests(artifact, "policies/*.yaml") == digests(REPO, "policies/rules.yaml"), "stale build: run make sam-build"


def test_authorizer_artifact_ships_the_rules_compiled_identical_to_the_yaml(build: Path) -> None:
    # GIVEN the artifact's policies folder WHEN its compiled rules are loaded
    policies = build / "AuthorizerFunction" / "policies"
    text = (REPO / "policies" / "rules.yaml").read_text()
    shipped = load_compiled_rules(policies / "rules.compiled.json", source_text=text)
    # THEN they are the repository's rules as compiled, digest (the context's rules_digest) included
    assert sorted(path.name for path in policies.iterdir()) == ["rules.compiled.json", "rules.yaml"]
    compiled = compile_rules(text, "policies/rules.yaml")
    assert shipped == compiled and shipped.digest == compiled.digest


def test_authorizer_artifact_reads_its_cas_from_the_hashed_directory_of_certifis_bundle(
    build: Path, lambda_python: str, tmp_path: Path
) -> None:
    # GIVEN the artifact's ca-certificates/ (scripts/ca-directory) and its certifi bundle
    artifact = build / "AuthorizerFunction"
    directory = artifact / "ca-certificates"
    bundle = (artifact / "certifi" / "cacert.pem").read_text()
    pem_blocks = {block.split("-----END CERTIFICATE-----")[0] for block in bundle.split("-----BEGIN CERTIFICATE-----")[1:]}
    held = {path.read_text().split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
            for path in directory.iterdir()}
    # THEN it holds exactly the bundle's certificates, one regular file each under its subject hash
    assert held == pem_blocks and len(list(directory.iterdir())) == len(pem_blocks)
    assert all(not path.is_symlink() and len(path.name.split(".")[0]) == 8 for path in directory.iterdir())
    # AND the runtime, run from the artifact, builds its TLS context from it without importing certifi
    program = ("import sys; from authorizer.http_fetch import PACKAGED_CA_DIRECTORY, default_tls_context; "
               "context = default_tls_context(); "
               "print(PACKAGED_CA_DIRECTORY, context.cert_store_stats()['x509_ca'], 'certifi' in sys.modules)")
    done = subprocess.run([lambda_python, "-S", "-c", program], capture_output=True, text=True, cwd=tmp_path, check=True,
                          env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(artifact), "LANG": "C.UTF-8",
                               "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.stdout.split() == [str(directory), "0", "False"]  # read on demand by the handshake


def test_authorizer_artifact_ships_the_runtime_and_no_tool(build: Path) -> None:
    # GIVEN the authorizer's artifact WHEN its Python modules are listed
    artifact = build / "AuthorizerFunction"
    tools = {path.stem for path in (REPO / "scopegate_tools").rglob("*.py")} - {"__init__", "__main__"}
    shipped = {path.relative_to(artifact).as_posix() for path in artifact.glob("authorizer/**/*.py")}
    # THEN they are exactly the runtime package's, and no tools module or package is among them
    assert shipped == {path.relative_to(REPO).as_posix() for path in (REPO / "authorizer").glob("*.py")}
    assert not (artifact / "scopegate_tools").exists() and not (artifact / "local").exists()
    assert not (artifact / "jwt").exists()  # keys and signatures are cryptography's alone
    assert sorted(name for name in tools if (artifact / "authorizer" / f"{name}.py").exists()) == []


@pytest.mark.parametrize("function", sorted(TEMPLATE.functions))
def test_every_module_of_the_artifact_ships_current_unchecked_hash_bytecode(
    function: str, build: Path, lambda_python: str, tmp_path: Path
) -> None:
    problems, _ = run_in_artifact(lambda_python, build / function, tmp_path, "bytecode")
    assert problems == []


def test_built_authorizer_allows_a_real_token_and_refuses_a_forged_one_from_its_build_folder(
    build: Path, lambda_python: str, jwks_server: JwksServer, signing_key: SigningKey, other_key: SigningKey,
    tmp_path: Path,
) -> None:
    # GIVEN the artifact configured as in Lambda (no RULES_FILE: the packaged rules are used)
    token = mint(signing_key, auth0_claims(scope="read:hello"))
    forged = mint(other_key, auth0_claims(scope="read:hello"), headers={"kid": signing_key.kid})
    events = [
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": f"{ARN_PREFIX}/GET/hello"},
        {"type": "TOKEN", "authorizationToken": f"Bearer {forged}", "methodArn": f"{ARN_PREFIX}/GET/hello"},
    ]
    artifact = build / "AuthorizerFunction"
    # WHEN the Lambda runtime's Python imports the handler from the build folder and invokes it
    result, stdout = run_in_artifact(
        lambda_python, artifact, tmp_path, "invoke", "authorizer.app:lambda_handler",
        stdin=json.dumps(events),
        env={"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_server.url,
             "AWS_LAMBDA_FUNCTION_NAME": "scopegate-artifact-test",
             "SCOPEGATE_CHECK_ORIGINS": ",".join(ARTIFACT_MODULES)},
    )
    # THEN everything came from the artifact, and the decisions are right
    assert result["python"] == LAMBDA_VERSION
    # AND the rules came from their compiled form: neither PyYAML nor our YAML reader was imported
    # (nor PyJWT: the artifact does not ship it)
    assert [name for name in result["imported"] if name.split(".")[0] in ("yaml", "_yaml", "jwt")] == []
    assert "authorizer.yaml_source" not in result["imported"] and "authorizer.compiled_rules" in result["imported"]
    assert [p for p in result["sys_path"] if Path(p).resolve().is_relative_to(REPO)] == [str(artifact)]
    resolved = str(artifact.resolve())
    assert {name: path.startswith(resolved + os.sep) for name, path in result["origins"].items()} == dict.fromkeys(
        ARTIFACT_MODULES, True
    )
    allowed, refused = result["results"]
    rules = load_rules(REPO / "policies" / "rules.yaml")
    api = parse_method_arn(events[0]["methodArn"]).api
    assert allowed == {"response": {
        "principalId": "client-abc@clients",
        "policyDocument": build_policy_document(rules, Caller.holding(frozenset({"read:hello"})), api),
        "context": {"scope": "read:hello", "client_id": "client-abc", "token_profile": "auth0", "rules_digest": rules.digest,
                    "issuer": ISSUER},
    }}
    assert refused == {"error": ["Exception", "Unauthorized"]}
    decisions = [json.loads(line) for line in stdout.splitlines() if '"decision"' in line]
    assert [(d["outcome"], d["reason"]) for d in decisions] == [("allow", "allowed"), ("unauthorized", "bad_signature")]
    assert token not in stdout and forged not in stdout
    assert jwks_server.requests == 1  # fetched once, during the init phase (AWS_LAMBDA_FUNCTION_NAME set)


def test_built_authorizer_answers_a_request_event_with_its_routes_policy(
    build: Path, lambda_python: str, jwks_server: JwksServer, signing_key: SigningKey, tmp_path: Path,
) -> None:
    # GIVEN per-route mode's event (AuthorizerMode=REQUEST) for GET /orders/{id}
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    event = request_event(f"Bearer {token}", "GET", "/orders/42", "/orders/{id}", ARN_PREFIX)
    # WHEN the built artifact answers it, with no setting
    result, _ = run_in_artifact(
        lambda_python, build / "AuthorizerFunction", tmp_path, "invoke", "authorizer.app:lambda_handler",
        stdin=json.dumps([event]), env={"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_server.url},
    )
    # THEN the policy is the route's
    rules = load_rules(REPO / "policies" / "rules.yaml")
    api = parse_method_arn(event["methodArn"]).api
    expected = build_route_policy_document(
        rules, Caller.holding({"read:orders"}), api, "GET", parse_resource_path("/orders/{id}")
    )
    assert result["results"][0]["response"]["policyDocument"] == expected
    assert expected["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [f"{ARN_PREFIX}/GET/orders/*"]}
    ]


def test_built_hello_service_answers_from_its_build_folder(build: Path, lambda_python: str, tmp_path: Path) -> None:
    event = {
        "resource": "/hello", "path": "/hello", "httpMethod": "GET", "headers": {}, "body": None,
        "requestContext": {"authorizer": {"principalId": "client-abc@clients", "scope": "read:hello",
                                          "client_id": "client-abc", "token_profile": "auth0", "rules_digest": "0" * 12}},
    }
    result, _ = run_in_artifact(lambda_python, build / "HelloFunction", tmp_path, "invoke",
                                "app:lambda_handler", stdin=json.dumps([event]))
    response = result["results"][0]["response"]
    assert (response["statusCode"], json.loads(response["body"])) == (200, {"message": "hello world"})


@pytest.mark.parametrize("function", sorted(set(TEMPLATE.functions) - TEMPLATE.authorizer_functions))
def test_every_built_service_imports_its_handler_without_the_repository(
    function: str, build: Path, lambda_python: str, tmp_path: Path
) -> None:
    module, _, name = TEMPLATE.functions[function].handler.rpartition(".")
    result, _ = run_in_artifact(lambda_python, build / function, tmp_path, "invoke", f"{module}:{name}",
                                stdin="[]", env={"SCOPEGATE_CHECK_ORIGINS": module})
    assert Path(result["origins"][module]).parent == (build / function).resolve()
