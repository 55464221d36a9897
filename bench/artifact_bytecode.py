"""Does shipping bytecode in the Lambda artifact speed up a cold start? Measure it.

Lambda's code folder is read-only, so a module whose bytecode is missing or stale is compiled
again on every cold start. ``sam deploy`` zips every file with the date 1980-01-01, so the
usual timestamp pycs never match their source once deployed; only hash-based pycs survive.
This script builds three read-only copies of a ``sam build`` artifact and times a fresh
``import authorizer.app`` in each (a new python process per run, the variants interleaved):

* ``no-pyc``: no ``__pycache__`` at all;
* ``timestamp-pyc``: default ``compileall`` pycs, then every mtime set to 1980-01-01 as in the zip;
* ``unchecked-hash-pyc``: what ``make build-AuthorizerFunction`` ships.

Usage: ``python bench/artifact_bytecode.py [BUILD_DIR] [--runs N] [--python PATH]``
(defaults: .aws-sam/build/AuthorizerFunction, 21 runs, scripts/find-python 3.13).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the date sam deploy's zip gives every file
IMPORT = "import authorizer.app"


def copy_without_bytecode(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))


def compile_tree(python: str, tree: Path, mode: str) -> None:
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", mode, str(tree)],
        check=True, stdout=subprocess.DEVNULL,
    )


def set_zip_dates(tree: Path) -> None:
    for path in tree.rglob("*"):
        os.utime(path, (ZIP_EPOCH, ZIP_EPOCH), follow_symlinks=False)


def make_read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        mode = path.lstat().st_mode
        if not path.is_symlink():
            path.chmod(mode & ~0o222)


def make_writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.lstat().st_mode | 0o200)


def one_run(python: str, tree: Path | None, statement: str) -> float:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    started = time.perf_counter()
    subprocess.run([python, "-S", "-c", statement], env=env, cwd=tempfile.gettempdir(), check=True)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", nargs="?", default=str(REPO / ".aws-sam/build/AuthorizerFunction"))
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--python", default=None)
    args = parser.parse_args()
    python = args.python or subprocess.run(
        [str(REPO / "scripts/find-python"), "3.13"], capture_output=True, text=True, check=True
    ).stdout.strip()
    build = Path(args.build_dir)
    if not (build / "authorizer" / "app.py").is_file():
        print(f"no authorizer artifact at {build}: run `make sam-build` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="scopegate-pyc-") as scratch:
        root = Path(scratch)
        variants = {name: root / name for name in ("no-pyc", "timestamp-pyc", "unchecked-hash-pyc")}
        for tree in variants.values():
            copy_without_bytecode(build, tree)
        compile_tree(python, variants["timestamp-pyc"], "timestamp")
        compile_tree(python, variants["unchecked-hash-pyc"], "unchecked-hash")
        for tree in variants.values():
            set_zip_dates(tree)
            make_read_only(tree)
        try:
            timings: dict[str, list[float]] = {"bare interpreter": [], **{n: [] for n in variants}}
            for tree in variants.values():  # warm the page cache once
                one_run(python, tree, IMPORT)
            for _ in range(args.runs):
                timings["bare interpreter"].append(one_run(python, None, "pass"))
                for name, tree in variants.items():
                    timings[name].append(one_run(python, tree, IMPORT))
        finally:
            for tree in variants.values():
                make_writable(tree)
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    bare = statistics.median(timings["bare interpreter"])
    print(f"python {version}, {args.runs} runs each, `{IMPORT}` in a fresh `python -S` process, "
          "PYTHONDONTWRITEBYTECODE=1, read-only copies with zip dates")
    print(f"{'variant':<20} {'median ms':>10} {'min ms':>8} {'import ms':>10}")
    for name, values in timings.items():
        median = statistics.median(values)
        extra = "" if name == "bare interpreter" else f"{median - bare:>10.1f}"
        print(f"{name:<20} {median:>10.1f} {min(values):>8.1f} {extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
