"""Fixtures for the example services: a DynamoDB of the template's tables in moto, and the services."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.dynamodb import create_template_tables
from tests.support.services import load_service_app

AWS_ENV = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, so nothing can reach a real AWS account."""
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)


@pytest.fixture
def dynamodb(aws_env: None) -> Iterator[Any]:
    """moto in-process, with the tables of template.yaml."""
    with mock_aws():
        client = boto3.client("dynamodb")
        create_template_tables(client)
        yield client


@pytest.fixture
def orders(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The orders service, configured as template.yaml configures it."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "orders")
    monkeypatch.setenv("ORDERS_TABLE_NAME", "OrdersTable")
    return load_service_app("orders")


@pytest.fixture
def hello(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "hello")
    return load_service_app("hello")
