"""`make dist` output works on its own: the wheel in a clean venv, the Lambda zip from its files.

``make test`` runs ``make dist`` before pytest. The wheel is installed into a new venv with the
pinned requirements as constraints (the same versions ``make install`` takes from the registry);
its console script checks the shipped rules and template, and its handler decides a token against
a JWKS server on 127.0.0.1. The x86_64 zip is unpacked and run by python3.13 as Lambda runs it
(test_sam_artifact.py does the same for ``sam build``). No arm64 interpreter is on this machine
or CI's: the arm64 zip is proven by its contents (every native library an aarch64 ELF, every
wheel tag aarch64 or pure Python, the same files as the x86_64 zip otherwise).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from authorizer.caller import Caller
from authorizer.arn import parse_method_arn
from authorizer.policy import build_policy_document
from authorizer.rules import load_rules
from scopegate_tools.sam_template import load_template
from tests.packaging.lambda_run import DRIVER, find_lambda_python, run_driver
from tests.support.jwks_server import JwksServer
from tests.support.keys import SigningKey
from tests.support.minting import AUDIENCE, ISSUER, auth0_claims, mint

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
LAMBDA_VERSION = str(load_template(REPO / "template.yaml").functions["AuthorizerFunction"].runtime).removeprefix("python")
ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev"
ELF_MACHINES = {62: "x86_64", 183: "arm64"}  # e_machine: EM_X86_64, EM_AARCH64
WHEEL_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}


def dist_file(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    if len(found) != 1:
        why = f"expected one dist/{pattern}, found {len(found)}: run `make dist` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(why)  # CI runs make test, which runs make dist: a missing file is a failure there
        pytest.skip(why)
    return found[0]


def zip_of(architecture: str) -> Path:
    return dist_file(f"scopegate-authorizer-python{LAMBDA_VERSION}-{architecture}.zip")


@pytest.fixture(scope="module")
def lambda_python() -> str:
    found = find_lambda_python(LAMBDA_VERSION)
    if found is None:
        pytest.skip(f"python{LAMBDA_VERSION} (Lambda's runtime) is not installed here, so make dist did not run")
    return found


@pytest.fixture(scope="module")
def installed(lambda_python: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv holding the wheel with its tools extra, the pinned versions as constraints."""
    wheel = dist_file("scopegate-*-py3-none-any.whl")
    root = tmp_path_factory.mktemp("wheel-venv")
    venv = root / "venv"
    subprocess.run([lambda_python, "-m", "venv", str(venv)], check=True, timeout=120)
    constraints = root / "constraints.txt"
    pins = [
        line
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in (REPO / name).read_text().splitlines()
        if not line.startswith("-r")
    ]
    constraints.write_text("\n".join(pins) + "\n")
    completed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(constraints), f"{wheel}[tools]"],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    yield venv


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def repo_files(pattern: str) -> dict[str, bytes]:
    return {path.relative_to(REPO).as_posix(): path.read_bytes() for path in REPO.glob(pattern)}


def test_wheel_holds_the_current_runtime_and_tools_and_declares_the_runtime_dependencies() -> None:
    # GIVEN the wheel WHEN its files and metadata are read
    with zipfile.ZipFile(dist_file("scopegate-*-py3-none-any.whl")) as wheel:
        names = wheel.namelist()
        sources = {name: wheel.read(name) for name in names if name.endswith(".py")}
        metadata = wheel.read(next(name for name in names if name.endswith(".dist-info/METADATA"))).decode()
        entry_points = wheel.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    # THEN it holds exactly the current runtime and tools packages (a stale dist/ fails here)
    assert digests(sources) == digests(repo_files("authorizer/*.py") | repo_files("scopegate_tools/**/*.py"))
    # AND declares what the runtime imports, and cfn-lint for the tools only
    required = sorted(line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: "))
    assert sorted(r.split("<")[0].split(">")[0].split(";")[0].lower() for r in required) == [
        "aws-lambda-powertools", "aws-xray-sdk", "certifi", "cfn-lint", "cryptography", "h11", "pyyaml",
    ]
    assert [r for r in required if "extra ==" in r] == [
        'aws-xray-sdk<3,>=2.12; extra == "tracing"', 'cfn-lint<2,>=1.20; extra == "tools"',
    ]
    assert "scopegate = scopegate_tools.cli.main:run" in entry_points


def test_installed_console_script_checks_the_shipped_rules_and_template(installed: Path) -> None:
    # GIVEN the wheel installed in a clean venv WHEN its console script checks the shipped files
    completed = subprocess.run(
        [str(installed / "bin" / "scopegate"), "check", "--strict", "--rules", "policies/rules.yaml",
         "--template", "template.yaml"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    # THEN it passes, having read every guarded route of the template
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.splitlines()[0].startswith("Rules policies/rules.yaml (digest ")
    assert "(6 routes guarded by the authorizer, 0 public)" in completed.stdout.splitlines()[0]
    assert completed.stdout.endswith("OK: 0 errors, 0 warnings.\n")


def test_installed_wheel_imports_the_handler_and_decides_a_token(
    installed: Path, jwks_server: JwksServer, signing_key: SigningKey, tmp_path: Path
) -> None:
    # GIVEN the wheel installed in a clean venv, and its rules named by RULES_FILE (a wheel ships none)
    token = mint(signing_key, auth0_claims(scope="read:orders"))
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": f"{ARN_PREFIX}/GET/orders"}
    rules_file = REPO / "policies" / "rules.yaml"
    # WHEN the venv's Python imports the handler from site-packages and invokes it, outside the repository
    result_file = tmp_path / "result.json"
    completed = subprocess.run(
        [str(installed / "bin" / "python"), str(DRIVER), "invoke", str(result_file), "authorizer.app:lambda_handler"],
        input=json.dumps([event]), capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
             "TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_server.url,
             "RULES_FILE": str(rules_file), "SCOPEGATE_CHECK_ORIGINS": "authorizer,cryptography"},
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(result_file.read_text())
    # THEN the handler came from the venv, and allowed exactly what the rules give read:orders
    assert {name: Path(path).is_relative_to(installed) for name, path in result["origins"].items()} == {
        "authorizer": True, "cryptography": True,
    }
    rules = load_rules(rules_file)
    assert result["results"] == [{"response": {
        "principalId": "client-abc@clients",
        "policyDocument": build_policy_document(rules, Caller.holding(frozenset({"read:orders"})), parse_method_arn(event["methodArn"]).api),
        "context": {"scope": "read:orders", "client_id": "client-abc", "token_profile": "auth0", "rules_digest": rules.digest,
                    "issuer": ISSUER},
    }}]
    assert token not in completed.stdout


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_lambda_zip_holds_the_current_runtime_package_the_rules_and_no_tool(architecture: str) -> None:
    with zipfile.ZipFile(zip_of(architecture)) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if name.startswith(("authorizer/", "policies/"))}
        names = archive.namelist()
    sources = {name: data for name, data in files.items() if name.endswith((".py", ".yaml"))}
    assert digests(sources) == digests(repo_files("authorizer/*.py") | repo_files("policies/rules.yaml"))
    assert [name for name in names if name.startswith(("scopegate_tools/", "local/", "tests/"))] == []
    assert "authorizer/app.py" in names and any(n.startswith("authorizer/__pycache__/app.cpython-313") for n in names)


def test_x86_64_zip_decides_a_token_from_its_unpacked_files(
    lambda_python: str, jwks_server: JwksServer, signing_key: SigningKey, other_key: SigningKey, tmp_path: Path
) -> None:
    # GIVEN the zip unpacked as Lambda unpacks it (/var/task), with no RULES_FILE: the packed rules
    task = tmp_path / "task"
    with zipfile.ZipFile(zip_of("x86_64")) as archive:
        archive.extractall(task)
    token = mint(signing_key, auth0_claims(scope="read:hello"))
    forged = mint(other_key, auth0_claims(scope="read:hello"), headers={"kid": signing_key.kid})
    events = [
        {"type": "TOKEN", "authorizationToken": f"Bearer {value}", "methodArn": f"{ARN_PREFIX}/GET/hello"}
        for value in (token, forged)
    ]
    # WHEN python3.13 runs the handler with only those files on its path
    result, stdout = run_driver(
        lambda_python, task, tmp_path, "invoke", "authorizer.app:lambda_handler", stdin=json.dumps(events),
        env={"TOKEN_ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "JWKS_URI": jwks_server.url,
             "SCOPEGATE_CHECK_ORIGINS": "authorizer,cryptography,yaml"},
    )
    # THEN every module came from the zip, the real token is allowed and the forged one refused
    assert {name: Path(path).is_relative_to(task.resolve()) for name, path in result["origins"].items()} == {
        "authorizer": True, "cryptography": True, "yaml": True,
    }
    rules = load_rules(task / "policies" / "rules.yaml")
    allowed, refused = result["results"]
    assert allowed["response"]["policyDocument"] == build_policy_document(
        rules, Caller.holding(frozenset({"read:hello"})), parse_method_arn(events[0]["methodArn"]).api
    )
    assert refused == {"error": ["Exception", "Unauthorized"]}
    assert token not in stdout and forged not in stdout


def elf_machine(data: bytes) -> str | None:
    """The architecture of an ELF file's bytes (little-endian e_machine at offset 18), or None."""
    if data[:4] != b"\x7fELF":
        return None
    return ELF_MACHINES.get(int.from_bytes(data[18:20], "little"), f"e_machine {data[18:20].hex()}")


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_lambda_zip_native_code_and_wheel_tags_are_for_its_architecture_only(architecture: str) -> None:
    # GIVEN the zip of one architecture WHEN every ELF file and every installed wheel's tags are read
    with zipfile.ZipFile(zip_of(architecture)) as archive:
        machines = {name: elf_machine(archive.read(name)) for name in archive.namelist()}
        tags = {
            line.removeprefix("Tag: ")
            for name in archive.namelist() if name.endswith(".dist-info/WHEEL")
            for line in archive.read(name).decode().splitlines() if line.startswith("Tag: ")
        }
    native = {name: machine for name, machine in machines.items() if machine is not None}
    # THEN the compiled extensions (cryptography, cffi, PyYAML...) are all for that architecture
    assert {"cryptography/hazmat/bindings/_rust.abi3.so"} <= set(native)
    assert set(native.values()) == {architecture}
    # AND every wheel is pure Python or built for manylinux on that machine, for CPython 3.13 (or abi3)
    platform_tags = {tag.rsplit("-", 1)[1] for tag in tags} - {"any"}
    assert platform_tags and all(
        tag.startswith("manylinux") and tag.endswith("_" + WHEEL_MACHINES[architecture]) for tag in platform_tags
    ), sorted(platform_tags)
    assert {tag.split("-")[0] for tag in tags if not tag.endswith("-any")} <= {"cp313", "cp311"}  # cp311-abi3


def test_both_zips_hold_the_same_files_but_for_the_machine_in_native_names() -> None:
    def names(architecture: str) -> set[str]:
        with zipfile.ZipFile(zip_of(architecture)) as archive:
            return {
                name.replace(f"-{WHEEL_MACHINES[architecture]}-linux-gnu", "-MACHINE-linux-gnu")
                for name in archive.namelist()
                if ".dist-info/" not in name  # RECORD and WHEEL name the tags, checked above
            }
    assert names("x86_64") ^ names("arm64") == set()
