"""``python -m local``: start the issuer and the gateway, print what to try, stop on Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from local.issuer.directory import DirectoryError, load_directory
from local.stack import DEFAULT_AUDIENCE, REPO_ROOT, Stack, StackConfig


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--gateway-port", type=int, default=3000)
    parser.add_argument("--issuer-port", type=int, default=3001)
    parser.add_argument("--dynamodb-port", type=int, default=3002, help="moto's DynamoDB server")
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml")
    parser.add_argument("--clients", type=Path, default=REPO_ROOT / "local" / "clients.yaml")
    parser.add_argument(
        "--rules", type=Path, default=REPO_ROOT / "policies" / "rules.yaml",
        help="the rules file to watch; the authorizer reads RULES_FILE, else policies/rules.yaml",
    )
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE)
    parser.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE",
        help="template parameters, as sam's --parameter-overrides",
    )
    return parser.parse_args(argv)


READ_TOKEN = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"


ORDER_CALLS = {
    "orders-writer": [
        "curl -i -X POST {gw}/orders -H \"Authorization: Bearer ${var}\" -H 'content-type: application/json' \\",
        "  -d '{{\"item\":\"widget\",\"quantity\":2,\"amount_cents\":1500}}'",
    ],
    "orders-reader": ["curl -i {gw}/orders -H \"Authorization: Bearer ${var}\""],
}


def _token_command(client, issuer_url: str, audience: str, var: str) -> list[str]:
    return [
        f"{var}=$(curl -s {issuer_url}oauth/token -H 'content-type: application/json' \\",
        f"  -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{client.client_id}\","
        f"\"client_secret\":\"{client.client_secret}\",\"audience\":\"{audience}\"}}' \\",
        f"  | {READ_TOKEN})",
    ]


def walkthrough(issuer_url: str, gateway_url: str, audience: str, clients: Path) -> str:
    """The curl commands to try, for the demo clients of clients.yaml."""
    directory = load_directory(clients)
    lines = ["", "Try it (tokens last an hour):", ""]
    for client in directory.clients.values():
        if audience not in client.grants:
            continue
        var = client.client_id.upper().replace("-", "_") + "_TOKEN"
        if client.client_id.startswith("orders-"):
            calls = ORDER_CALLS.get(client.client_id)
            if calls:
                lines += [f"# {client.name}", *_token_command(client, issuer_url, audience, var)]
                lines += [call.format(gw=gateway_url, var=var) for call in calls] + [""]
            continue
        lines += [f"# {client.name}", *_token_command(client, issuer_url, audience, var)]
        lines += [f"curl -i {gateway_url}/hello -H \"Authorization: Bearer ${var}\"", ""]
    lines += [
        "# an invalid token",
        f"curl -i {gateway_url}/hello -H 'Authorization: Bearer not.a.token'",
        "",
        "Edit policies/rules.yaml and the authorizer restarts with the new rules. Ctrl-C stops.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)
    config = StackConfig(
        template=args.template, clients=args.clients, rules=args.rules,
        gateway_port=args.gateway_port, issuer_port=args.issuer_port, dynamodb_port=args.dynamodb_port,
        audience=args.audience, parameter_overrides=overrides,
    )
    try:
        stack = Stack(config).start()
    except (OSError, DirectoryError, ValueError) as error:
        print(f"cannot start the local stack: {error}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # explicit: a background job starts with SIGINT ignored
        signal.signal(signum, lambda *_: stopping.set())
    print(f"issuer  {stack.issuer_url}  (JWKS {stack.issuer_url}.well-known/jwks.json)")
    print(f"gateway {stack.gateway_url}/  (template {config.template.name}, authorizer -> issuer)")
    if stack.dynamodb is not None:
        print(f"dynamodb {stack.dynamodb.url}  (moto; tables {', '.join(stack.dynamodb.tables)})")
    print(walkthrough(stack.issuer_url, stack.gateway_url, config.audience, config.clients), flush=True)
    while not stopping.wait(0.5):
        pass
    print("\nstopping...", flush=True)
    stack.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
