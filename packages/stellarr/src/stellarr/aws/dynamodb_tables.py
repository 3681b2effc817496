"""Table administration for local runs and tests; deployed tables come from infrastructure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from stellarr.aws.errors import AwsError
from stellarr.retry import Sleep


class TableAdmin:
    """Mixed into DynamoDBClient, which provides `call` and `_sleep`."""

    _sleep: Sleep

    call: Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]

    async def create_table(
        self, table: str, *, partition_key: tuple[str, str], sort_key: tuple[str, str] | None
    ) -> None:
        keys = [partition_key, *([sort_key] if sort_key else [])]
        await self.call(
            "CreateTable",
            {
                "TableName": table,
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in keys],
                "KeySchema": [
                    {"AttributeName": n, "KeyType": kind}
                    for (n, _), kind in zip(keys, ("HASH", "RANGE"), strict=False)
                ],
            },
        )

    async def describe_table(self, table: str) -> dict[str, Any] | None:
        try:
            response = await self.call("DescribeTable", {"TableName": table})
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise
        description: dict[str, Any] = response["Table"]
        return description

    async def enable_ttl(self, table: str, attribute: str) -> None:
        spec = {"Enabled": True, "AttributeName": attribute}
        await self.call("UpdateTimeToLive", {"TableName": table, "TimeToLiveSpecification": spec})

    async def delete_table(self, table: str) -> None:
        await self.call("DeleteTable", {"TableName": table})

    async def ensure_table(
        self,
        table: str,
        *,
        partition_key: tuple[str, str],
        sort_key: tuple[str, str] | None,
        ttl_attribute: str | None = None,
        poll_interval: float = 0.5,
        max_wait: float = 60.0,
    ) -> None:
        """Create the table if missing and wait until it is ACTIVE (idempotent)."""
        if await self.describe_table(table) is None:
            try:
                await self.create_table(table, partition_key=partition_key, sort_key=sort_key)
            except AwsError as exc:
                if exc.code != "ResourceInUseException":  # created concurrently
                    raise
            if ttl_attribute:
                await self.enable_ttl(table, ttl_attribute)
        waited = 0.0
        while True:
            description = await self.describe_table(table)
            if description is not None and description.get("TableStatus") == "ACTIVE":
                return
            if waited >= max_wait:
                raise AwsError("TableNotActive", f"table {table} not ACTIVE after {max_wait}s", 0)
            await self._sleep(poll_interval)
            waited += poll_interval
