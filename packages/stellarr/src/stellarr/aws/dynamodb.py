"""DynamoDB over its JSON 1.0 protocol: the handful of calls Stellarr needs, fully paginated."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from stellarr.aws.dynamodb_tables import TableAdmin
from stellarr.aws.errors import AwsError
from stellarr.aws.marshal import Expr, Item
from stellarr.aws.service import AwsService
from stellarr.retry import Retryable, RetryPolicy, retrying

BATCH_SIZE = 25
TRANSACTION_LIMIT = 100
# Unprocessed items mean the table is at capacity: be patient before giving up.
BATCH_POLICY = RetryPolicy(attempts=10, base_delay=0.05, max_delay=2.0)


class DynamoDBClient(AwsService, TableAdmin):
    SERVICE = "dynamodb"

    def __init__(
        self,
        *,
        batch_policy: RetryPolicy = BATCH_POLICY,
        batch_concurrency: int = 4,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._batch_policy = batch_policy
        self._batch_concurrency = max(1, batch_concurrency)

    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        return await self._http.json_call(
            f"DynamoDB_20120810.{operation}",
            request,
            content_type="application/x-amz-json-1.0",
        )

    # single items ---------------------------------------------------------------------
    async def get_item(
        self,
        table: str,
        key: Item,
        *,
        consistent_read: bool = False,
        projection: Sequence[str] = (),
    ) -> Item | None:
        request: dict[str, Any] = {"TableName": table, "Key": key}
        if consistent_read:
            request["ConsistentRead"] = True
        if projection:
            expr = Expr()
            request["ProjectionExpression"] = ", ".join(expr.name(a) for a in projection)
            expr.apply(request)
        item: Item | None = (await self.call("GetItem", request)).get("Item")
        return item

    async def put_item(
        self, table: str, item: Item, *, condition: str | None = None, expr: Expr | None = None
    ) -> None:
        request: dict[str, Any] = {"TableName": table, "Item": item}
        await self.call("PutItem", _with_expr(request, condition, expr))

    async def update_item(
        self,
        table: str,
        key: Item,
        update: str,
        expr: Expr,
        *,
        condition: str | None = None,
        return_values: str = "NONE",
    ) -> Item:
        """Apply `update`; returns the Attributes asked for by `return_values` ({} for NONE)."""
        request: dict[str, Any] = {
            "TableName": table,
            "Key": key,
            "UpdateExpression": update,
            "ReturnValues": return_values,
        }
        response = await self.call("UpdateItem", _with_expr(request, condition, expr))
        attributes: Item = response.get("Attributes", {})
        return attributes

    # many items -----------------------------------------------------------------------
    async def query(
        self,
        table: str,
        key_condition: str,
        expr: Expr,
        *,
        consistent_read: bool = False,
        projection: Sequence[str] = (),
    ) -> list[Item]:
        """Every matching item, following LastEvaluatedKey to the end."""
        request: dict[str, Any] = {"TableName": table, "KeyConditionExpression": key_condition}
        if projection:
            request["ProjectionExpression"] = ", ".join(expr.name(a) for a in projection)
        if consistent_read:
            request["ConsistentRead"] = True
        expr.apply(request)
        items: list[Item] = []
        while True:
            response = await self.call("Query", request)
            items.extend(response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return items
            request["ExclusiveStartKey"] = last_key

    async def batch_write(
        self,
        table: str,
        *,
        key_names: Sequence[str],
        puts: Iterable[Item] = (),
        deletes: Iterable[Item] = (),
    ) -> None:
        """Puts and deletes in chunks of 25; a key named twice keeps one write (a delete wins)."""
        chunks = batch_chunks(unique_writes(key_names, puts, deletes))
        limit = asyncio.Semaphore(self._batch_concurrency)

        async def run(chunk: list[dict[str, Any]]) -> None:
            async with limit:
                await self._write_chunk(table, chunk)

        try:
            async with asyncio.TaskGroup() as group:
                for chunk in chunks:
                    group.create_task(run(chunk))
        except ExceptionGroup as failed:
            # Callers expect one AwsError, like every other call; the first is as good as any.
            raise failed.exceptions[0] from None

    async def _write_chunk(self, table: str, chunk: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {table: chunk}

        async def attempt() -> None:
            nonlocal pending
            response = await self.call("BatchWriteItem", {"RequestItems": pending})
            pending = response.get("UnprocessedItems") or {}
            if pending:
                left = sum(len(v) for v in pending.values())
                unprocessed = AwsError("UnprocessedItems", f"{left} writes still unprocessed", 0)
                raise Retryable(unprocessed)

        await retrying(attempt, self._batch_policy, what="BatchWriteItem", sleep=self._sleep)

    async def transact_write(
        self, actions: Sequence[Mapping[str, Any]], *, client_token: str | None = None
    ) -> None:
        """All-or-nothing; raises TransactionCanceled carrying one reason per action."""
        if not 0 < len(actions) <= TRANSACTION_LIMIT:
            raise ValueError(f"a transaction takes 1 to {TRANSACTION_LIMIT} actions")
        request: dict[str, Any] = {"TransactItems": list(actions)}
        if client_token:
            request["ClientRequestToken"] = client_token
        await self.call("TransactWriteItems", request)


def unique_writes(
    key_names: Sequence[str], puts: Iterable[Item], deletes: Iterable[Item]
) -> list[dict[str, Any]]:
    """One WriteRequest per key (DynamoDB rejects a batch naming a key twice): the last put
    wins among puts, and a delete wins over puts."""
    by_key: dict[str, dict[str, Any]] = {}
    for item in puts:
        by_key.pop(_key_of(key_names, item), None)
        by_key[_key_of(key_names, item)] = {"PutRequest": {"Item": item}}
    for key in deletes:
        by_key.pop(_key_of(key_names, key), None)
        by_key[_key_of(key_names, key)] = {"DeleteRequest": {"Key": {n: key[n] for n in key_names}}}
    return list(by_key.values())


def batch_chunks(writes: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [list(writes[i : i + BATCH_SIZE]) for i in range(0, len(writes), BATCH_SIZE)]


def _key_of(key_names: Sequence[str], item: Item) -> str:
    try:
        parts = [item[n] for n in key_names]
    except KeyError as exc:
        raise ValueError(f"item lacks key attribute {exc.args[0]!r}") from None
    # "5" and "5.0" are the same number key to DynamoDB.
    parts = [{"N": str(Decimal(p["N"]).normalize())} if "N" in p else p for p in parts]
    return json.dumps(parts, sort_keys=True)


def _with_expr(request: dict[str, Any], condition: str | None, expr: Expr | None) -> dict[str, Any]:
    if condition:
        request["ConditionExpression"] = condition
    return expr.apply(request) if expr else request
