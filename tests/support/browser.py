"""Headless Chromium (Debian's `chromium`) for the tests that look at a page as a person would.

Every run gets a fresh profile folder and the flags that keep Chromium from
reaching anything but the page: no background networking, component updates,
sync or QUIC. `--no-sandbox` because the tests run as root (CI too). A page
is loaded from a file:// URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
REQUIRE_ENV = "SCOPEGATE_REQUIRE_BROWSER"
TIMEOUT_SECONDS = 60
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_or_skip() -> str:
    """The browser; without one, fail when SCOPEGATE_REQUIRE_BROWSER=1 (CI), else skip saying why."""
    found = find_chromium()
    if found:
        return found
    reason = "no chromium on PATH: install Debian's chromium (apt-get install chromium); .ci/run does"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


def _run(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="scopegate-chromium-") as profile:
        done = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise AssertionError(f"chromium exited {done.returncode}:\n{tail}")
    return done


def dump_dom(binary: str, page: Path) -> str:
    """The page's DOM after Chromium has loaded and rendered it, serialized."""
    return _run(binary, "--dump-dom", page.resolve().as_uri()).stdout


def screenshot(binary: str, page: Path, png: Path, width: int, height: int) -> bytes:
    _run(binary, f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri())
    return png.read_bytes()
