"""DynamoDB tables as template.yaml declares them, created in moto (in-process or its server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")


def template_tables(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    """``{logical id: CreateTable arguments}`` of every AWS::DynamoDB::Table in the template.

    Locally a ``!Ref`` to a table resolves to its logical id (as
    ``authorizer.sam_template.resolve`` does), so that id is the table name.
    """
    from cfnlint.decode.cfn_yaml import loads

    resources = loads(template.read_text(encoding="utf-8"), str(template))["Resources"]
    return {
        logical_id: {"TableName": logical_id, **{k: resource["Properties"][k] for k in TABLE_KEYS if k in resource["Properties"]}}
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_template_tables(client: Any, template: Path = TEMPLATE) -> list[str]:
    """Create the template's tables with a boto3 DynamoDB client; their names."""
    names = []
    for arguments in template_tables(template).values():
        client.create_table(**arguments)
        names.append(arguments["TableName"])
    return names
