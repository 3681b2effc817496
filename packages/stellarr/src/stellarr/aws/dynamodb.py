"""DynamoDB over its JSON 1.0 protocol: the handful of calls Stellarr needs, fully paginated."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from stellarr.aws.dynamodb_tables import TableAdmin
from stellarr.aws.errors import AwsError
from stellarr.aws.marshal import Expr, Item
from stellarr.aws.service import AwsService
from stellarr.retry import RetryPolicy

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

    async def delete_item(
        self,
        table: str,
        key: Item,
        *,
        condition: str | None = None,
        expr: Expr | None = None,
        return_old: bool = False,
    ) -> Item | None:
        """Delete; with return_old, the removed item (None when there was none)."""
        request: dict[str, Any] = {"TableName": table, "Key": key}
        if return_old:
            request["ReturnValues"] = "ALL_OLD"
        response = await self.call("DeleteItem", _with_expr(request, condition, expr))
        old: Item | None = response.get("Attributes")
        return old

    # many items -----------------------------------------------------------------------
    async def query_pages(
        self,
        table: str,
        key_condition: str,
        expr: Expr,
        *,
        filter_expression: str | None = None,
        consistent_read: bool = False,
        projection: Sequence[str] = (),
        forward: bool = True,
        page_size: int | None = None,
    ) -> AsyncIterator[list[Item]]:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": key_condition,
            "ScanIndexForward": forward,
        }
        if filter_expression:
            request["FilterExpression"] = filter_expression
        async for page in self._pages(
            "Query", request, expr, consistent_read, projection, page_size
        ):
            yield page

    async def query(self, table: str, key_condition: str, expr: Expr, **options: Any) -> list[Item]:
        """Every matching item, following LastEvaluatedKey to the end."""
        items: list[Item] = []
        async for page in self.query_pages(table, key_condition, expr, **options):
            items.extend(page)
        return items

    async def scan(
        self,
        table: str,
        *,
        filter_expression: str | None = None,
        expr: Expr | None = None,
        consistent_read: bool = False,
        projection: Sequence[str] = (),
        page_size: int | None = None,
    ) -> list[Item]:
        request: dict[str, Any] = {"TableName": table}
        if filter_expression:
            request["FilterExpression"] = filter_expression
        items: list[Item] = []
        pages = self._pages("Scan", request, expr or Expr(), consistent_read, projection, page_size)
        async for page in pages:
            items.extend(page)
        return items

    async def _pages(
        self,
        operation: str,
        request: dict[str, Any],
        expr: Expr,
        consistent_read: bool,
        projection: Sequence[str],
        page_size: int | None,
    ) -> AsyncIterator[list[Item]]:
        if projection:
            request["ProjectionExpression"] = ", ".join(expr.name(a) for a in projection)
        if consistent_read:
            request["ConsistentRead"] = True
        if page_size:
            request["Limit"] = page_size
        expr.apply(request)
        while True:
            response = await self.call(operation, request)
            yield response.get("Items", [])
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
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
        attempt = 0
        while pending:
            response = await self.call("BatchWriteItem", {"RequestItems": pending})
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            attempt += 1
            delay = self._batch_policy.delay(attempt)
            if delay is None:
                left = sum(len(v) for v in pending.values())
                raise AwsError("UnprocessedItems", f"{left} writes still unprocessed", 0)
            await self._sleep(delay)

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
