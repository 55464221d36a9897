"""The stack's three listening ports: the option that moves each, and the error when one is taken.

Every server binds through :func:`listening_socket` or inside :func:`binding`, so a port that
cannot be bound becomes one :class:`PortUnavailable` that names the server, the address and the
option to change, instead of a bare ``[Errno 98] Address already in use``.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PortOption:
    server: str  # how messages name the server
    option: str  # the python -m local option that sets its port
    field: str  # its StackConfig field (and argparse dest)
    default: int
    serves: str  # for --help


GATEWAY = PortOption("gateway", "--gateway-port", "gateway_port", 3000, "the API Gateway emulator")
ISSUER = PortOption("issuer", "--issuer-port", "issuer_port", 3001, "the Auth0-style issuer")
DYNAMODB = PortOption(
    "DynamoDB server", "--dynamodb-port", "dynamodb_port", 3002, "moto's DynamoDB (if template.yaml has tables)"
)
PORT_OPTIONS = (GATEWAY, ISSUER, DYNAMODB)
MOVE_ALL_PORTS = "--gateway-port 4000 --issuer-port 4001 --dynamodb-port 4002"  # README and --help


class PortUnavailable(Exception):
    """A server of the stack cannot listen on its port; the message says which and how to move it."""

    def __init__(self, port_option: PortOption, host: str, port: int, error: OSError) -> None:
        self.port_option, self.host, self.port = port_option, host, port
        reason = "the port is already in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
        super().__init__(
            f"the {port_option.server} cannot listen on {host}:{port}: {reason}. Stop what holds the port, "
            f"or choose another with {port_option.option} PORT "
            f"(make run ARGS=\"{port_option.option} PORT\"; 0 picks a free port)"
        )


@contextmanager
def binding(port_option: PortOption, host: str, port: int) -> Iterator[None]:
    """Turn an :class:`OSError` raised while binding ``host:port`` into :class:`PortUnavailable`."""
    try:
        yield
    except OSError as error:
        raise PortUnavailable(port_option, host, port, error) from None


def listening_socket(port_option: PortOption, host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (``SO_REUSEADDR``, as the servers set it)."""
    with binding(port_option, host, port):
        return socket.create_server((host, port))
