"""Store factories for the parametrised suites, and the local AWS stand-ins they use:
AWS's own DynamoDB Local, and moto in server mode for S3 and Secrets Manager."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stellarr.store.ports import Stores
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.memory_store import memory_stores

# Unopened stores for a test folder; whoever uses them opens and closes their database.
StoreMaker = Callable[[Path], Awaitable[Stores]]

STORE_PARAMS = ["sqlite", pytest.param("dynamodb", marks=pytest.mark.dynamodb)]


@pytest.fixture
def sqlite_store_maker() -> StoreMaker:
    async def make(folder: Path) -> Stores:
        return sqlite_stores(folder / "stellarr.db")

    return make


@pytest.fixture
def memory_store_maker() -> StoreMaker:
    async def make(folder: Path) -> Stores:
        return memory_stores()

    return make


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    from stellarr_testing.dynamodb_local import dynamodb_local

    with dynamodb_local() as endpoint:
        yield endpoint


def moto_admin(service: str, endpoint: str, region: str = "eu-west-1") -> Any:
    """A boto3 client for arranging moto's state (buckets, secrets) the way an operator
    would; the code under test talks to moto through stellarr.aws, never through this."""
    import boto3

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode (S3, Secrets Manager) on 127.0.0.1, stopped after the session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def dynamodb_store_maker(dynamodb_endpoint: str) -> StoreMaker:
    from stellarr_testing.dynamodb_local import make_dynamodb_stores

    async def make(folder: Path) -> Stores:
        return make_dynamodb_stores(dynamodb_endpoint, f"stellarr-{uuid.uuid4().hex[:12]}")

    return make
