"""The authorizer built with an issuers file decides from it, as template.yaml deploys it.

``make build-AuthorizerFunction ISSUERS=<file>`` (what ``sam build`` runs, with ``ISSUERS`` defaulting to
policies/issuers.yaml when it exists) packages the file as ``policies/issuers.yaml`` beside the
rules, with its compiled form ``policies/issuers.compiled.json``; template.yaml with
``IssuersFile=policies/issuers.yaml`` gives the function ``ISSUERS_FILE`` and none of the
single-issuer variables. The artifact then runs under the Lambda runtime's Python, with
only that environment, against two JWKS servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from authorizer.issuers import compile_issuers, load_issuers
from scopegate_tools.sam_template import load_template
from tests.packaging.lambda_run import find_lambda_python, run_driver
from tests.support.jwks_server import running_jwks_server
from tests.support.keys import rsa_key
from tests.support.minting import auth0_claims, mint

REPO = Path(__file__).resolve().parents[2]
ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/hello"
AUDIENCE = "https://api.example.com"
PROFILES = ("auth0", "rfc9068")


@pytest.fixture(scope="module")
def lambda_python() -> str:
    version = str(load_template(REPO / "template.yaml").functions["AuthorizerFunction"].runtime).removeprefix("python")
    found = find_lambda_python(version)
    if found is None:
        pytest.skip(f"python{version} (the template's Runtime) is not installed here")
    return found


def test_an_artifact_built_with_an_issuers_file_trusts_exactly_its_issuers(lambda_python: str, tmp_path: Path) -> None:
    key_a, key_b = rsa_key("artifact-a"), rsa_key("artifact-b")
    with running_jwks_server() as a, running_jwks_server() as b:
        a.serve_keys(key_a.jwk())
        b.serve_keys(key_b.jwk())
        # GIVEN an issuers file naming both servers, built into the artifact by the Makefile
        issuers = tmp_path / "issuers.yaml"
        issuers.write_text(
            f"version: 1\nissuers:\n  - issuer: {a.base_url}/\n    audiences: [{AUDIENCE}]\n"
            f"  - issuer: {b.base_url}/\n    audiences: [{AUDIENCE}]\n"
        )
        artifact = tmp_path / "artifact"
        subprocess.run(["make", "--no-print-directory", "build-AuthorizerFunction", f"ISSUERS={issuers}",
                        f"ARTIFACTS_DIR={artifact}"], cwd=REPO, check=True, capture_output=True, timeout=300)
        assert (artifact / "policies" / "issuers.yaml").read_text() == issuers.read_text()
        # AND its compiled form beside it, which loads as the YAML compiles
        shipped = artifact / "policies" / "issuers.yaml"
        assert load_issuers(shipped, default_profiles=PROFILES) == compile_issuers(
            issuers.read_text(), str(shipped), default_profiles=PROFILES)
        assert sorted(p.name for p in (artifact / "policies").glob("issuers*")) == [
            "issuers.compiled.json", "issuers.yaml"]
        # AND the environment template.yaml gives the function with IssuersFile set
        env = load_template(REPO / "template.yaml", {"IssuersFile": "policies/issuers.yaml"}).functions[
            "AuthorizerFunction"].environment
        assert set(env) & {"ISSUERS_FILE", "TOKEN_ISSUER", "AUDIENCE", "JWKS_URI"} == {"ISSUERS_FILE"}
        assert env["ISSUERS_FILE"] == "policies/issuers.yaml"
        # WHEN tokens of each issuer, and of an issuer the file does not name, reach the built handler
        tokens = [
            mint(key_a, auth0_claims(iss=a.base_url + "/", aud=AUDIENCE)),
            mint(key_b, auth0_claims(iss=b.base_url + "/", aud=AUDIENCE)),
            mint(key_a, auth0_claims(iss="https://elsewhere.example/", aud=AUDIENCE)),
        ]
        events = [{"type": "TOKEN", "authorizationToken": f"Bearer {t}", "methodArn": ARN} for t in tokens]
        # (in Lambda: init's first line fetches every issuer's keys, their URLs read from the compiled form)
        result, stdout = run_driver(lambda_python, artifact, tmp_path, "invoke", "authorizer.app:lambda_handler",
                                    stdin=json.dumps(events),
                                    env={**env, "AWS_LAMBDA_FUNCTION_NAME": "scopegate-artifact-test"})
    # THEN the first two are allowed, each naming its issuer, and the third refused without a fetch
    decisions = [json.loads(line) for line in stdout.splitlines() if '"decision"' in line]
    assert [(d["outcome"], d.get("issuer")) for d in decisions] == [
        ("allow", a.base_url + "/"), ("allow", b.base_url + "/"), ("unauthorized", None),
    ]
    assert decisions[2]["reason"] == "unknown_issuer"
    assert result["results"][2] == {"error": ["Exception", "Unauthorized"]}
    assert (a.requests, b.requests) == (1, 1)  # one request per issuer, begun at init, used by its cache
    # AND the issuers came from their compiled form: neither PyYAML nor our YAML reader was imported
    assert [name for name in result["imported"] if name.split(".")[0] in ("yaml", "_yaml")] == []
    assert "authorizer.yaml_source" not in result["imported"] and "authorizer.compiled_issuers" in result["imported"]
