"""Web Push subscriptions on DynamoDB (the table layout is in __init__.py).

A subscription is `PUSH#<user>` / a number derived from the endpoint, so one query lists a
user's devices. Ownership across users needs a second item, `PUSHENDPOINT#<sha256>` / 0
naming the owner: every save and remove writes both in one transaction, conditioned on that
owner, so an endpoint can never belong to two users nor be taken or removed by another.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from stellarr.aws.marshal import Expr, Item, to_item
from stellarr.domain.errors import Conflict, StoreError
from stellarr.retry import Retryable, RetryPolicy, retrying
from stellarr.store.dynamodb.codec import PK, iso, primary_key
from stellarr.store.dynamodb.table import DynamoDBTable
from stellarr.store.ports import PushSubscription

# Racing saves of one endpoint cancel each other's transactions; the loser looks again.
RACE_POLICY = RetryPolicy(attempts=8, base_delay=0.02, max_delay=0.5)


def subscription_key(user: str, endpoint: str) -> Item:
    # 60 bits of the digest: a DynamoDB number, and no two of one user's devices collide.
    return primary_key(f"PUSH#{user}", int(_digest(endpoint)[:15], 16))


def owner_key(endpoint: str) -> Item:
    return primary_key(f"PUSHENDPOINT#{_digest(endpoint)}", 0)


def _digest(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


class DynamoDBPushSubscriptions:
    def __init__(self, table: DynamoDBTable) -> None:
        self._table = table
        self._db = table.client
        self.table = table.name

    async def save(self, subscription: PushSubscription) -> bool:
        s = subscription
        key = subscription_key(s.user, s.endpoint)

        async def attempt() -> bool:
            current = await self._db.get_item(self.table, key, consistent_read=True)
            actions = [
                {"Put": self._claim(s.user, s.endpoint)},
                self._store(s) if current is None else self._refresh(s),
            ]
            failed = await self._table.write_transaction(actions)
            if failed == 0:
                raise Conflict("this push endpoint belongs to another user")
            if failed is not None:
                raise Retryable(StoreError("the subscription changed since it was read"))
            return current is None

        with self._table.errors("push save"):
            return await retrying(attempt, RACE_POLICY, what="DynamoDB push save")

    def _claim(self, user: str, endpoint: str) -> dict[str, Any]:
        expr = Expr()
        owner = expr.name("user")
        return expr.apply(
            {
                "TableName": self.table,
                "Item": {**owner_key(endpoint), **to_item({"user": user})},
                "ConditionExpression": (
                    f"attribute_not_exists({expr.name(PK)}) OR {owner} = {expr.value(user)}"
                ),
            }
        )

    def _store(self, s: PushSubscription) -> dict[str, Any]:
        values = {
            "endpoint": s.endpoint,
            "p256dh": s.p256dh,
            "auth": s.auth,
            "created_at": iso(s.created_at),
        }
        expr = Expr()
        put = {
            "TableName": self.table,
            "Item": {**subscription_key(s.user, s.endpoint), **to_item(values)},
            "ConditionExpression": f"attribute_not_exists({expr.name(PK)})",
        }
        return {"Put": expr.apply(put)}

    def _refresh(self, s: PushSubscription) -> dict[str, Any]:
        # The same browser again: new keys, but it stays as old as it was.
        expr = Expr()
        update = {
            "TableName": self.table,
            "Key": subscription_key(s.user, s.endpoint),
            "UpdateExpression": expr.set_clause({"p256dh": s.p256dh, "auth": s.auth}),
            "ConditionExpression": expr.eq("endpoint", s.endpoint),
        }
        return {"Update": expr.apply(update)}

    async def for_user(self, user: str) -> list[PushSubscription]:
        expr = Expr()
        with self._table.errors("push for_user"):
            items = await self._db.query(
                self.table, expr.eq(PK, f"PUSH#{user}"), expr, consistent_read=True
            )
        found = [
            PushSubscription(
                user=user,
                endpoint=item["endpoint"]["S"],
                p256dh=item["p256dh"]["S"],
                auth=item["auth"]["S"],
                created_at=datetime.fromisoformat(item["created_at"]["S"]),
            )
            for item in items
        ]
        return sorted(found, key=lambda s: (s.created_at, s.endpoint))

    async def remove(self, user: str, endpoint: str) -> bool:
        with self._table.errors("push remove"):
            return await retrying(
                lambda: self._delete(user, endpoint), RACE_POLICY, what="DynamoDB push remove"
            )

    async def discard(self, endpoint: str) -> None:
        async def attempt() -> None:
            owner = await self._db.get_item(self.table, owner_key(endpoint), consistent_read=True)
            if owner is None:
                return
            if not await self._delete(owner["user"]["S"], endpoint):
                raise Retryable(StoreError("the endpoint kept changing owner while discarded"))

        with self._table.errors("push discard"):
            await retrying(attempt, RACE_POLICY, what="DynamoDB push discard")

    async def _delete(self, user: str, endpoint: str) -> bool:
        """One attempt at deleting both items when `user` owns the endpoint; False when
        not. The callers' one retry loop covers a conflicting transaction."""
        expr = Expr()
        release = {
            "TableName": self.table,
            "Key": owner_key(endpoint),
            "ConditionExpression": expr.eq("user", user),
        }
        actions = [
            {"Delete": expr.apply(release)},
            {"Delete": {"TableName": self.table, "Key": subscription_key(user, endpoint)}},
        ]
        return await self._table.write_transaction(actions) is None
