"""DynamoDB for the local stack: moto's server on 127.0.0.1, with template.yaml's tables created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from scopegate_tools.sam_template import FunctionSpec
from local.ports import DYNAMODB, listening_socket

TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")
ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT_URL"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}


def template_tables(template: Path) -> dict[str, dict[str, Any]]:
    """``{logical id: CreateTable arguments}`` of every AWS::DynamoDB::Table in the template.

    Locally a ``!Ref`` to a table resolves to its logical id (as
    ``scopegate_tools.sam_template.resolve`` does), so that id is the table name.
    """
    from cfnlint.decode.cfn_yaml import loads

    resources = loads(template.read_text(encoding="utf-8"), str(template))["Resources"]
    return {
        logical_id: {
            "TableName": logical_id,
            **{k: resource["Properties"][k] for k in TABLE_KEYS if k in resource["Properties"]},
        }
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_template_tables(client: Any, template: Path) -> list[str]:
    """Create the template's tables with a boto3 DynamoDB client; their names."""
    names = []
    for arguments in template_tables(template).values():
        client.create_table(**arguments)
        names.append(arguments["TableName"])
    return names


def point_functions_at(functions: Mapping[str, FunctionSpec], endpoint: str) -> dict[str, FunctionSpec]:
    """Functions with a ``DYNAMODB_ENDPOINT_URL`` variable get ``endpoint`` and fake credentials."""
    result = {}
    for logical_id, spec in functions.items():
        if ENDPOINT_VARIABLE in spec.environment:
            environment = {**spec.environment, ENDPOINT_VARIABLE: endpoint, **FAKE_CREDENTIALS}
            spec = replace(spec, environment=environment)
        result[logical_id] = spec
    return result


class LocalDynamoDB:
    """moto's server mode in a thread, bound to ``host``; ``url`` once started."""

    def __init__(self, template: Path, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1") -> None:
        from moto.server import ThreadedMotoServer

        if port:
            # moto binds in its own thread, where a taken port would exit that thread and leave
            # start() waiting for ever: try the port here first, so it fails as PortUnavailable
            listening_socket(DYNAMODB, host, port).close()
        self.template, self.host, self.port, self.region = template, host, port, region
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.tables: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalDynamoDB:
        import logging

        import boto3
        import requests

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per DynamoDB call
        self._server.start()
        self.port = self._server.get_host_and_port()[1]  # the port moto bound, when 0 asked for a free one
        # moto keeps its backends per process: start every stack from empty tables
        requests.post(self.url + "/moto-api/reset", timeout=10).raise_for_status()
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        self.tables = create_template_tables(client, self.template)
        return self

    def stop(self) -> None:
        self._server.stop()
