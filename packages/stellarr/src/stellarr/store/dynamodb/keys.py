"""Expiring keys on DynamoDB: an item `<key>` / 0 holding `value`, `count`, `expires_at`.

`ttl` (whole epoch seconds) lets DynamoDB delete expired items lazily; reads compare the
exact `expires_at` with `now`, because expired items can linger for days before deletion.
"""

from __future__ import annotations

import math
import uuid

from stellarr.aws.errors import ConditionalCheckFailed, TransactionCanceled
from stellarr.aws.marshal import Expr, Item, to_attr
from stellarr.domain.errors import StoreError
from stellarr.store.dynamodb.codec import PK, TTL, primary_key
from stellarr.store.dynamodb.table import DynamoDBTable
from stellarr.store.ports import Entry, check_key

# A window that expires between the add and the reset makes the loop go round again.
ADD_ATTEMPTS = 10


def _item(key: str, value: str, count: int, expires_at: float) -> Item:
    item = primary_key(key, 0)
    values = {"value": value, "count": count, "expires_at": expires_at, TTL: math.ceil(expires_at)}
    item.update({name: to_attr(v) for name, v in values.items()})
    return item


class DynamoDBExpiringKeys:
    def __init__(self, table: DynamoDBTable) -> None:
        self._table = table

    async def get(self, key: str, now: float) -> Entry | None:
        with self._table.errors("get"):
            item = await self._table.client.get_item(
                self._table.name, primary_key(check_key(key), 0), consistent_read=True
            )
        if not item or float(item["expires_at"]["N"]) <= now:
            return None
        value = item.get("value", {}).get("S", "")
        return Entry(
            value, int(item.get("count", {}).get("N", "0")), float(item["expires_at"]["N"])
        )

    async def put(
        self, key: str, value: str, expires_at: float, now: float, *, replace: bool = True
    ) -> bool:
        item = _item(check_key(key), value, 0, expires_at)
        db, table = self._table.client, self._table.name
        with self._table.errors("put"):
            if replace:
                await db.put_item(table, item)
                return True
            expr = Expr()
            exp = expr.name("expires_at")
            condition = f"attribute_not_exists({expr.name(PK)}) OR {exp} <= {expr.value(now)}"
            put = expr.apply({"TableName": table, "Item": item, "ConditionExpression": condition})
            try:
                # A transaction only for its client token: a retry after a lost response
                # must not report "already there" for the write it made itself.
                await db.transact_write([{"Put": put}], client_token=uuid.uuid4().hex)
            except TransactionCanceled as exc:
                if exc.conditional_check_failed:
                    return False
                raise
        return True

    async def add(self, key: str, amount: int, expires_at: float, now: float) -> int:
        item_key = primary_key(check_key(key), 0)
        db, table = self._table.client, self._table.name
        with self._table.errors("add"):
            for _ in range(ADD_ATTEMPTS):
                expr = Expr()
                count, exp, ttl = expr.name("count"), expr.name("expires_at"), expr.name(TTL)
                value = expr.name("value")
                new_exp, new_ttl = expr.value(expires_at), expr.value(math.ceil(expires_at))
                try:
                    attributes = await db.update_item(
                        table,
                        item_key,
                        f"ADD {count} {expr.value(amount)} SET {exp} = if_not_exists({exp}, "
                        f"{new_exp}), {ttl} = if_not_exists({ttl}, {new_ttl}), "
                        f"{value} = if_not_exists({value}, {expr.value('')})",
                        expr,
                        condition=f"attribute_not_exists({exp}) OR {exp} > {expr.value(now)}",
                        return_values="UPDATED_NEW",
                    )
                    return int(attributes["count"]["N"])
                except ConditionalCheckFailed:
                    pass  # the entry expired: start a new one, unless someone just did
                expr = Expr()
                exp = expr.name("expires_at")
                try:
                    await db.put_item(
                        table,
                        _item(key, "", amount, expires_at),
                        condition=f"{exp} <= {expr.value(now)}",
                        expr=expr,
                    )
                    return amount
                except ConditionalCheckFailed:
                    continue
        raise StoreError("expiring key kept changing under contention")
