"""`python -m local` (what `make run` starts): prints the curl commands, serves, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

from local.stack import REPO_ROOT
from tests.support.issuer_client import token_for
from tests.support.local_stack import bearer, http


def test_python_m_local_serves_the_walkthrough_and_stops_cleanly_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--gateway-port", "0", "--issuer-port", "0", "--dynamodb-port", "0"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if "Ctrl-C stops" in line:
                break
        text = "".join(printed)
        issuer_url = re.search(r"^issuer  (http://127\.0\.0\.1:\d+/)", text, re.M).group(1)  # type: ignore[union-attr]
        gateway_url = re.search(r"^gateway (http://127\.0\.0\.1:\d+/Dev)/", text, re.M).group(1)  # type: ignore[union-attr]
        assert f"curl -i {gateway_url}/hello -H \"Authorization: Bearer $DEMO_READER_TOKEN\"" in text
        answer = http("GET", gateway_url + "/hello", bearer(token_for(issuer_url, "demo-reader")))
        assert (answer.status, answer.json()) == (200, {"message": "hello world"})
        # WHEN Ctrl-C
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=20)
        # THEN it stops cleanly
        assert (process.returncode, rest) == (0, "\nstopping...\nstopped.\n")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_python_m_local_reports_a_taken_port_and_exits_1() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "local", "--gateway-port", str(port), "--issuer-port", "0", "--dynamodb-port", "0"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.startswith("cannot start the local stack: [Errno")
    assert "Address already in use" in done.stderr
