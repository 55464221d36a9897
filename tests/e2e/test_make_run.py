"""`python -m local` (what `make run` starts): prints the curl commands, serves, stops on Ctrl-C."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from local.stack import REPO_ROOT
from tests.support.issuer_client import token_for
from tests.support.local_stack import bearer, gateway_template, http


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


class _LineReader:
    """A child's stream read on a thread, line by line, so a test can wait with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self._stream = stream
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            self.lines.put(line)

    def next_line(self, timeout_seconds: float) -> str:
        return self.lines.get(timeout=timeout_seconds)

    def close(self) -> None:
        """After the child exited: the thread has met the end of the stream."""
        self._thread.join(timeout=20)
        self._stream.close()


def test_python_m_local_prints_a_broken_rules_file_when_the_change_is_detected(tmp_path: Path) -> None:
    # GIVEN the stack running with a temp copy of the rules
    rules = tmp_path / "rules.yaml"
    shipped = (REPO_ROOT / "policies" / "rules.yaml").read_text(encoding="utf-8")
    rules.write_text(shipped, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(gateway_template("authorizer.app.lambda_handler", 300, {"GET /hello": "hello"},
                                         authorizer_code_uri=REPO_ROOT, authorizer_env={"RULES_FILE": str(rules)}))
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--gateway-port", "0", "--issuer-port", "0", "--dynamodb-port", "0",
         "--rules", str(rules), "--template", str(template)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = _LineReader(process.stdout), _LineReader(process.stderr)
    try:
        while "Ctrl-C stops" not in stdout.next_line(60):
            pass
        # WHEN the rules get a typo, and no request is made
        broken = shipped.replace("scopes:", "scope:", 1)
        rules.write_text(broken, encoding="utf-8")
        line = next(n for n, text in enumerate(broken.splitlines(), 1) if "scope:" in text)
        # THEN the poll prints file:line and the fix by itself (60 s: a generous bound on a busy machine)
        printed = [stderr.next_line(60)]
        while f"{rules}:" not in printed[-1]:
            printed.append(stderr.next_line(60))
        assert f" local {rules}:{line}: rule " in printed[-1]
        assert "unknown key 'scope'; did you mean 'scopes'? -- not applied" in printed[-1]
        assert not any("local.gateway.access" in text for text in printed)  # no request was needed
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stdout.close()
        stderr.close()
