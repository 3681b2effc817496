"""The DynamoDB handle every DynamoDB adapter shares: one table, one client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self

import httpx

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsConfigError, AwsError, TransactionCanceled
from stellarr.aws.marshal import Expr
from stellarr.domain.errors import StoreError
from stellarr.retry import Retryable
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

    async def write_transaction(self, actions: Sequence[dict[str, Any]]) -> int | None:
        """Apply `actions` all or none: None when applied, else the index of the first
        action whose condition failed. Raises `Retryable` when another transaction touched
        the same items at the same moment (nothing was applied: go again).

        A fresh client token per call makes a retry after a lost response a no-op rather
        than a second write that would fail its own condition and report a false refusal."""
        try:
            await self.client.transact_write(list(actions), client_token=uuid.uuid4().hex)
        except TransactionCanceled as exc:
            codes = [reason.code for reason in exc.reasons]
            if "ConditionalCheckFailed" in codes:
                return codes.index("ConditionalCheckFailed")
            if "TransactionConflict" in codes:
                raise Retryable(exc) from None
            raise
        return None

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Translate driver errors: nothing above the adapters sees AWS or httpx types."""
        try:
            yield
        except AwsError as exc:
            raise StoreError(f"DynamoDB {action} failed: {exc}") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"DynamoDB {action} failed: {type(exc).__name__}") from exc
