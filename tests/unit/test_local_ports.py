"""local.ports and the port options of python -m local: which port, which option, which default."""

from __future__ import annotations

import socket

import pytest

from local.__main__ import _arguments
from local.ports import DYNAMODB, GATEWAY, ISSUER, PortUnavailable, binding, listening_socket


@pytest.mark.parametrize("port_option", [GATEWAY, ISSUER, DYNAMODB], ids=lambda p: p.option)
def test_a_taken_port_names_the_server_the_port_and_the_option(port_option) -> None:
    # GIVEN a port held by a real listening socket on 127.0.0.1
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        # WHEN the stack's server binds it
        with pytest.raises(PortUnavailable) as refused:
            listening_socket(port_option, "127.0.0.1", port)
    # THEN the message says which server, which port, and which option moves it
    assert str(refused.value) == (
        f"the {port_option.server} cannot listen on 127.0.0.1:{port}: the port is already in use. "
        f"Stop what holds the port, or choose another with {port_option.option} PORT "
        f"(make run ARGS=\"{port_option.option} PORT\"; 0 picks a free port)"
    )
    assert (refused.value.port_option, refused.value.port) == (port_option, port)


def test_another_bind_error_keeps_its_reason_and_the_option() -> None:
    with pytest.raises(PortUnavailable, match=r"cannot listen on 192\.0\.2\.1:3000: .* with --gateway-port PORT"):
        with binding(GATEWAY, "192.0.2.1", 3000):  # TEST-NET-1: not an address of this machine
            socket.create_server(("192.0.2.1", 3000)).close()


def test_a_free_port_binds_and_listens() -> None:
    with listening_socket(ISSUER, "127.0.0.1", 0) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # accepted by the listen backlog


def test_help_shows_every_default_and_an_example_moving_all_three_ports(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _arguments(["--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert exited.value.code == 0
    for expected in (
        "--gateway-port PORT port of the API Gateway emulator (default: 3000; 0 picks a free port)",
        "--issuer-port PORT port of the Auth0-style issuer (default: 3001; 0 picks a free port)",
        "(default: 3002; 0 picks a free port)",
        "(default: template.yaml)",
        "(default: local/clients.yaml)",
        "(default: policies/rules.yaml)",
        "(default: https://api.scopegate.local)",
        'make run ARGS="--gateway-port 4000 --issuer-port 4001 --dynamodb-port 4002"',
    ):
        assert expected in shown


def test_defaults_are_3000_3001_3002() -> None:
    args = _arguments([])
    assert (args.gateway_port, args.issuer_port, args.dynamodb_port) == (3000, 3001, 3002)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gateway-port", "65536"],
         "argument --gateway-port: 65536 is not a port number (0..65535; 0 picks a free port)"),
        (["--issuer-port", "http"], "argument --issuer-port: 'http' is not a port number"),
        (["--issuer-port", "3000"],
         "--gateway-port and --issuer-port are both 3000: each server needs a port of its own"),
        (["--parameter-overrides", "Stage"], "--parameter-overrides: 'Stage' is not KEY=VALUE"),
    ],
)
def test_arguments_refuse_a_bad_port_or_override(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _arguments(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"python -m local: error: {message}"


def test_port_zero_twice_is_allowed_each_picks_a_free_port() -> None:
    args = _arguments(["--gateway-port", "0", "--issuer-port", "0", "--dynamodb-port", "0"])
    assert (args.gateway_port, args.issuer_port, args.dynamodb_port) == (0, 0, 0)
