"""DynamoDB tables as template.yaml declares them (the local stack's code, with the repo's template)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local.dynamodb import create_template_tables as _create
from local.dynamodb import template_tables as _tables

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def template_tables(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    return _tables(template)


def create_template_tables(client: Any, template: Path = TEMPLATE) -> list[str]:
    return _create(client, template)
