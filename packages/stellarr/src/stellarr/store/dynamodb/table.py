"""The DynamoDB handle every DynamoDB adapter shares: one table, one client."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Self

import httpx

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsConfigError, AwsError
from stellarr.aws.marshal import Expr
from stellarr.domain.errors import StoreError
from stellarr.store.dynamodb.codec import HEALTH_SK, META, PK, SK, TTL, primary_key


class DynamoDBTable:
    probe_interval = 10.0  # a health probe is a billed write

    def __init__(
        self,
        name: str,
        client: DynamoDBClient,
        *,
        create_table: bool = False,
        owns_client: bool = False,
    ) -> None:
        self.name = name
        self.client = client
        self._create_table = create_table
        self._owns_client = owns_client

    @classmethod
    def from_env(cls, name: str, environ: Mapping[str, str]) -> Self:
        """Client from the AWS_* variables; creates the table only when
        DYNAMODB_ENDPOINT_URL points at a local emulator."""
        try:
            client = DynamoDBClient.from_env(environ)
        except AwsConfigError as exc:
            raise StoreError(str(exc)) from None
        create = bool(environ.get("DYNAMODB_ENDPOINT_URL"))
        return cls(name, client, create_table=create, owns_client=True)

    async def open(self) -> None:
        # Deployed tables come from infrastructure code; creating one is for local runs.
        if self._create_table:
            with self.errors("ensure_table"):
                await self.client.ensure_table(
                    self.name, partition_key=(PK, "S"), sort_key=(SK, "N"), ttl_attribute=TTL
                )

    async def close(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    async def check_writable(self) -> None:
        expr = Expr()
        with self.errors("health check"):
            await self.client.update_item(
                self.name,
                primary_key(META, HEALTH_SK),
                f"SET {expr.name('checked_at')} = {expr.value(time.time())}",
                expr,
            )

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Translate driver errors: nothing above the adapters sees AWS or httpx types."""
        try:
            yield
        except AwsError as exc:
            raise StoreError(f"DynamoDB {action} failed: {exc}") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"DynamoDB {action} failed: {type(exc).__name__}") from exc
