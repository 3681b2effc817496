from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr_testing.aws_deploy import DeployTarget, aws_environment, make_target
from stellarr_testing.dynamodb_local import make_dynamodb_client


@pytest.fixture
def table_name() -> str:
    return f"test-{uuid4().hex[:12]}"


@pytest.fixture
async def ddb(dynamodb_endpoint: str, table_name: str) -> AsyncIterator[DynamoDBClient]:
    client = make_dynamodb_client(dynamodb_endpoint)
    await client.ensure_table(table_name, partition_key=("pk", "S"), sort_key=("sk", "N"))
    yield client
    await client.delete_table(table_name)
    await client.aclose()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> str:
    """This process's boto3 sent to moto: `stellarr deploy` and its subprocesses see it."""
    for name, value in aws_environment(moto_endpoint).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


@pytest.fixture
def target(aws_env: str) -> DeployTarget:
    """What `terraform apply` of infra/ leaves for `stellarr deploy`, made in moto."""
    return make_target(aws_env)
