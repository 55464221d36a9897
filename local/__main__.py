"""``python -m local``: start the issuer and the gateway, print what to try, stop on Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from authorizer.errors import RulesError
from local.issuer.directory import DirectoryError, load_directory
from local.ports import MOVE_ALL_PORTS, PORT_OPTIONS, PortUnavailable
from local.stack import DEFAULT_AUDIENCE, REPO_ROOT, Stack, StackConfig


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0..65535; 0 picks a free port)")
    return port


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


DESCRIPTION = """\
Start scopegate's local stack on 127.0.0.1: an Auth0-style issuer, an API Gateway (REST)
emulator serving template.yaml with the authorizer pointed at that issuer, and DynamoDB when
the template has tables. Prints what to try; Ctrl-C stops.
"""
EPILOG = f"""\
Every server binds 127.0.0.1. Move all three ports, e.g. when 3000-3002 are taken:
  python -m local {MOVE_ALL_PORTS}
  make run ARGS="{MOVE_ALL_PORTS}"
template.yaml, the clients file and the rules file are reloaded when they change; a file that
does not load is reported (file:line) and the stack keeps serving what it served.
"""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for port in PORT_OPTIONS:
        parser.add_argument(
            port.option, dest=port.field, type=_port, default=port.default, metavar="PORT",
            help=f"port of {port.serves} (default: %(default)s; 0 picks a free port)",
        )
    defaults = StackConfig()
    parser.add_argument(
        "--template", type=Path, default=defaults.template, metavar="FILE",
        help=f"the SAM template to serve (default: {_shown(defaults.template)})",
    )
    parser.add_argument(
        "--clients", type=Path, default=defaults.clients, metavar="FILE",
        help=f"the issuer's APIs and clients (default: {_shown(defaults.clients)})",
    )
    assert defaults.rules is not None
    parser.add_argument(
        "--rules", type=Path, default=defaults.rules, metavar="FILE",
        help="the rules file to check at start and watch; the authorizer itself reads RULES_FILE, else "
        f"policies/rules.yaml (default: {_shown(defaults.rules)})",
    )
    parser.add_argument(
        "--audience", default=DEFAULT_AUDIENCE, help="the API identifier tokens are for (default: %(default)s)"
    )
    parser.add_argument(
        "--custom-domain", action="store_true",
        help="also answer as the tenant's custom domain, a second issuer at <issuer>login/, and have the "
        "authorizer trust both (an issuers file instead of TokenIssuer, Audience, JwksUri)",
    )
    parser.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE",
        help="template parameters, as sam's --parameter-overrides (default: none; TokenIssuer, Audience "
        "and JwksUri are pointed at the local issuer)",
    )
    args = parser.parse_args(argv)
    chosen = [(port.option, getattr(args, port.field)) for port in PORT_OPTIONS]
    for index, (option, number) in enumerate(chosen):
        for other, other_number in chosen[index + 1:]:
            if number and number == other_number:
                parser.error(f"{option} and {other} are both {number}: each server needs a port of its own")
    for item in args.parameter_overrides:
        if "=" not in item:
            parser.error(f"--parameter-overrides: {item!r} is not KEY=VALUE")
    return args


READ_TOKEN = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"


ORDER_CALLS = {
    "orders-writer": [
        "curl -i -X POST {gw}/orders -H \"Authorization: Bearer ${var}\" -H 'content-type: application/json' \\",
        "  -d '{{\"item\":\"widget\",\"quantity\":2,\"amount_cents\":1500}}'",
    ],
    "orders-reader": ["curl -i {gw}/orders -H \"Authorization: Bearer ${var}\""],
}


def _token_command(client, issuer_url: str, audience: str, var: str, organization: str | None = None) -> list[str]:
    org = f",\"organization\":\"{organization}\"" if organization else ""
    return [
        f"{var}=$(curl -s {issuer_url}oauth/token -H 'content-type: application/json' \\",
        f"  -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{client.client_id}\","
        f"\"client_secret\":\"{client.client_secret}\",\"audience\":\"{audience}\"{org}}}' \\",
        f"  | {READ_TOKEN})",
    ]


def walkthrough(
    issuer_url: str, gateway_url: str, audience: str, clients: Path, custom_domain_url: str | None = None
) -> str:
    """The curl commands to try, for the demo clients of clients.yaml."""
    directory = load_directory(clients)
    lines = ["", "Try it (tokens last an hour):", ""]
    organizations = {client: org for org in directory.organizations.values() for client in sorted(org.clients)}
    for client in directory.clients.values():
        if audience not in client.grants:
            continue
        org = organizations.get(client.client_id)
        if org is not None:
            var = client.client_id.upper().replace("-", "_") + "_TOKEN"
            lines += [f"# {client.name}, for the {org.name} organization (its token carries org_id {org.org_id})",
                      *_token_command(client, issuer_url, audience, var, org.org_id),
                      f"curl -i {gateway_url}/orders -H \"Authorization: Bearer ${var}\"",
                      f"curl -i -X DELETE {gateway_url}/orders/any -H \"Authorization: Bearer ${var}\"  "
                      "# 403: a rule names this client", ""]
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
    reader = directory.clients.get("demo-reader")
    if custom_domain_url is not None and reader is not None:
        lines += ["# the same tenant through its custom domain: a second trusted issuer",
                  *_token_command(reader, custom_domain_url, audience, "CUSTOM_DOMAIN_TOKEN"),
                  f"curl -i {gateway_url}/hello -H \"Authorization: Bearer $CUSTOM_DOMAIN_TOKEN\"", ""]
    lines += [
        "# an invalid token",
        f"curl -i {gateway_url}/hello -H 'Authorization: Bearer not.a.token'",
        "",
        "Saved changes to template.yaml, clients.yaml and rules.yaml are reloaded. Ctrl-C stops.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)
    config = StackConfig(
        template=args.template, clients=args.clients, rules=args.rules,
        audience=args.audience, parameter_overrides=overrides, custom_domain=args.custom_domain,
        **{port.field: getattr(args, port.field) for port in PORT_OPTIONS},
    )
    try:
        stack = Stack(config).start()
    except (PortUnavailable, DirectoryError, RulesError, OSError, ValueError) as error:
        print(f"cannot start the local stack: {error}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # explicit: a background job starts with SIGINT ignored
        signal.signal(signum, lambda *_: stopping.set())
    print(f"issuer  {stack.issuer_url}  (JWKS {stack.issuer_url}.well-known/jwks.json)")
    if stack.custom_domain_url is not None:
        print(f"issuer  {stack.custom_domain_url}  (the tenant's custom domain; both trusted via {stack.issuers_file})")
    print(f"gateway {stack.gateway_url}/  (template {config.template.name}, authorizer -> issuer)")
    if stack.dynamodb is not None:
        print(f"dynamodb {stack.dynamodb.url}  (moto; tables {', '.join(stack.dynamodb.tables)})")
    print(walkthrough(stack.issuer_url, stack.gateway_url, config.audience, config.clients, stack.custom_domain_url),
          flush=True)
    while not stopping.wait(0.5):
        pass
    print("\nstopping...", flush=True)
    stack.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
