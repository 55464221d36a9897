"""Run a built Lambda folder the way Lambda runs it: its own Python, only the folder on the path.

Shared by the tests of the ``sam build`` artifacts (test_sam_artifact.py) and of ``make dist``
(test_dist.py). The driver (artifact_driver.py, standard library only) runs in a subprocess whose
only path into the project is the folder (``python -S``, PYTHONPATH = the folder, then the
layers, then a stand-in for the runtime's own packages), its working folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("artifact_driver.py")
# What Lambda's Python runtime itself provides (/var/runtime): boto3 and its dependencies.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


def find_lambda_python(version: str) -> str | None:
    """The path of a real python<version> (scripts/find-python), or None when there is none."""
    found = subprocess.run([str(REPO / "scripts" / "find-python"), version], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


def lambda_runtime_packages(scratch: Path) -> Path:
    """A folder standing in for /var/runtime: links to the dev venv's copies of boto3 and its dependencies."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    runtime = scratch / "var-runtime"
    runtime.mkdir(exist_ok=True)
    for name in RUNTIME_PROVIDED:
        link = runtime / name
        if not link.exists():
            link.symlink_to(site / name)
    return runtime


def run_driver(python: str, folder: Path, scratch: Path, *args: str, stdin: str = "",
               env: dict[str, str] | None = None, layers: Sequence[str] = ()) -> tuple[Any, str]:
    """Run the driver's command ``args`` inside ``folder``; return (its result file's JSON, its stdout)."""
    paths = [str(folder), *layers, str(lambda_runtime_packages(scratch))]
    driver = scratch / "driver.py"
    shutil.copyfile(DRIVER, driver)
    result_file = scratch / "result.json"
    completed = subprocess.run(
        [python, "-S", str(driver), args[0], str(result_file), *args[1:]],
        input=stdin, capture_output=True, text=True, cwd=scratch, timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(paths),
             "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8", **(env or {})},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(result_file.read_text()), completed.stdout
