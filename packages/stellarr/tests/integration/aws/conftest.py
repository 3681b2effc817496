from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from stellarr.aws.dynamodb import DynamoDBClient
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
