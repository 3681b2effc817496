from __future__ import annotations

import pytest

from stellarr.domain.errors import StoreError
from stellarr.store.dynamodb import DynamoDBTable


def test_from_env_reads_endpoint_and_refuses_missing_credentials() -> None:
    with pytest.raises(StoreError, match="AWS_ACCESS_KEY_ID"):
        DynamoDBTable.from_env("t", {"AWS_REGION": "eu-west-1"})
    env_without_endpoint = {
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "a",
        "AWS_SECRET_ACCESS_KEY": "b",
    }
    table = DynamoDBTable.from_env(
        "t", {**env_without_endpoint, "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:1"}
    )
    assert table.client._http.endpoint_url == "http://127.0.0.1:1"
    assert table._create_table  # a local endpoint means a local table we may create
    assert not DynamoDBTable.from_env("t", {**env_without_endpoint})._create_table
