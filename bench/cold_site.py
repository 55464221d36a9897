"""Where a cold-start child process runs: the ``sam build`` artifact, or the source tree.

The artifact (.aws-sam/build/AuthorizerFunction, made by ``make sam-build``) is what Lambda runs:
its packaged rules, its wheels, its bytecode, run by the template's Python (3.13) with ``-S`` and
the artifact as the only path into the project, as tests/packaging runs it. The source tree (the
repository's ``authorizer`` and policies/rules.yaml, the artifact's wheels) is information only.

The JWKS is served over real TLS on 127.0.0.1, so a cold start pays for creating its TLS context
and for the handshake, as in Lambda. The children trust the bench's own CA: a scratch copy of
``certifi`` (the artifact's own bundle with that one CA appended: a trust store of the real size)
comes first on their path, and the minimal authorizer's ``urllib`` reads the same bundle through
``SSL_CERT_FILE``. scopegate's artifact reads its CAs from the hashed directory the build wrote
(``ca-certificates/``, scripts/ca-directory), so it runs from a scratch copy whose directory is
indexed again from that bundle. Nothing else in the artifact is changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = REPO_ROOT / ".aws-sam" / "build" / "AuthorizerFunction"
LAMBDA_PYTHON_VERSION = "3.13"
CHILD_SCRIPTS = ("cold_child.py", "cold_breakdown_child.py", "memory_child.py", "minimal_authorizer.py",
                 "lambda_runtime.py")
ARTIFACT_SITE = "sam build artifact"
SOURCE_SITE = "source tree"


@dataclass(frozen=True)
class ChildSite:
    name: str  # ARTIFACT_SITE or SOURCE_SITE
    python: str
    flags: tuple[str, ...]  # interpreter flags
    path: tuple[Path, ...]  # PYTHONPATH, in order
    scratch: Path  # the child scripts, the certifi copy, a PyJWT link if the artifact has none

    def command(self, script: str, *args: str, flags: tuple[str, ...] = ()) -> list[str]:
        return [self.python, *self.flags, *flags, str(self.scratch / script), *args]

    def environment(self, settings: dict[str, str]) -> dict[str, str]:
        """The child's whole environment: Lambda's (init in AWS_LAMBDA_FUNCTION_NAME) and ``settings``."""
        return {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's code folder is read-only
            "PYTHONPATH": os.pathsep.join(str(folder) for folder in self.path),
            "SSL_CERT_FILE": str(self.scratch / "certifi" / "cacert.pem"),
            "AWS_LAMBDA_FUNCTION_NAME": "scopegate-bench",
            **settings,
        }


def lambda_python() -> str | None:
    found = subprocess.run([str(REPO_ROOT / "scripts" / "find-python"), LAMBDA_PYTHON_VERSION],
                           capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def artifact_available() -> bool:
    return (ARTIFACT / "authorizer" / "app.py").is_file() and lambda_python() is not None


def _package_folder(name: str) -> Path:
    """The folder of an installed package of the dev venv (for what the artifact lacks)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed in {sys.prefix}")
    return Path(next(iter(spec.submodule_search_locations)))


def prepare_scratch(scratch: Path, ca_pem: bytes, deps: Path | None) -> None:
    """Fill ``scratch``: the child scripts, certifi with the bench CA, PyJWT when ``deps`` lacks it."""
    here = Path(__file__).resolve().parent
    for script in CHILD_SCRIPTS:
        shutil.copyfile(here / script, scratch / script)
    certifi = (deps / "certifi") if deps is not None else _package_folder("certifi")
    shutil.copytree(certifi, scratch / "certifi", ignore=shutil.ignore_patterns("__pycache__"))
    with open(scratch / "certifi" / "cacert.pem", "ab") as bundle:
        bundle.write(b"\n# scopegate bench CA (127.0.0.1 only)\n" + ca_pem)
    if deps is None or not (deps / "jwt").is_dir():  # the minimal authorizer needs PyJWT
        (scratch / "jwt").symlink_to(_package_folder("jwt"))


def compile_scratch(python: str, scratch: Path) -> None:
    """Bytecode for the scratch files, as the artifact ships it (the linked PyJWT keeps its own)."""
    targets = [str(scratch / script) for script in CHILD_SCRIPTS] + [str(scratch / "certifi")]
    subprocess.run([python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", *targets],
                   check=True, stdout=subprocess.DEVNULL)


def copy_artifact(scratch: Path) -> Path:
    """A copy of the artifact whose hashed CA directory (if it has one) also holds the bench CA."""
    copy = scratch / "artifact"
    shutil.copytree(ARTIFACT, copy, symlinks=True)
    if (copy / "ca-certificates").is_dir():
        subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "ca-directory"),
                        str(scratch / "certifi" / "cacert.pem"), str(copy / "ca-certificates")],
                       check=True, stdout=subprocess.DEVNULL)
        if not (copy / "ca-certificates").is_dir():
            raise RuntimeError("could not index the bench CA into the artifact's ca-certificates/")
    return copy


def child_sites(scratch: Path, ca_pem: bytes) -> list[ChildSite]:
    """The artifact site (when ``make sam-build`` has run) and the source-tree site, ready to run.

    Without an artifact (no python3.13, or no build), only the source tree is measured, with the dev
    venv's interpreter and packages; the report says so.
    """
    python = lambda_python()
    if artifact_available() and python is not None:
        prepare_scratch(scratch, ca_pem, ARTIFACT)
        compile_scratch(python, scratch)
        subprocess.run([python, "-m", "compileall", "-q", str(REPO_ROOT / "authorizer")], check=True,
                       stdout=subprocess.DEVNULL)
        artifact = copy_artifact(scratch)
        return [
            ChildSite(ARTIFACT_SITE, python, ("-S",), (scratch, artifact), scratch),
            ChildSite(SOURCE_SITE, python, ("-S",), (scratch, REPO_ROOT, ARTIFACT), scratch),
        ]
    prepare_scratch(scratch, ca_pem, None)
    compile_scratch(sys.executable, scratch)
    return [ChildSite(SOURCE_SITE, sys.executable, (), (scratch, REPO_ROOT), scratch)]
