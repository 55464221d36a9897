"""`python -m local` (what `make run` starts): prints the curl commands, serves, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize("taken_option", ["--gateway-port", "--issuer-port", "--dynamodb-port"])
def test_python_m_local_names_the_taken_port_and_its_option_and_exits_1(taken_option: str) -> None:
    # GIVEN a port held by a real socket on 127.0.0.1
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        ports = {"--gateway-port": "0", "--issuer-port": "0", "--dynamodb-port": "0", taken_option: str(port)}
        # WHEN the stack is started with one of its servers on that port
        done = subprocess.run(
            [sys.executable, "-m", "local", *(part for pair in ports.items() for part in pair)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        )
    # THEN it exits 1 with one line naming the address, the port and the option that moves it
    assert done.returncode == 1
    server = {"--gateway-port": "gateway", "--issuer-port": "issuer", "--dynamodb-port": "DynamoDB server"}
    assert done.stderr == (
        f"cannot start the local stack: the {server[taken_option]} cannot listen on 127.0.0.1:{port}: "
        f"the port is already in use. Stop what holds the port, or choose another with {taken_option} PORT "
        f"(make run ARGS=\"{taken_option} PORT\"; 0 picks a free port)\n"
    )

