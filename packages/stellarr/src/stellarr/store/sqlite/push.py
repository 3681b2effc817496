"""Web Push subscriptions on SQLite: the endpoint is the primary key, so one owner each."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from stellarr.domain.errors import Conflict
from stellarr.store.ports import PushSubscription
from stellarr.store.sqlite.database import SQLiteDatabase
from stellarr.store.sqlite.media import iso


class SQLitePushSubscriptions:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def save(self, subscription: PushSubscription) -> bool:
        s = subscription

        def upsert(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT user FROM push_subscriptions WHERE endpoint = ?", (s.endpoint,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO push_subscriptions (endpoint, user, p256dh, auth, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (s.endpoint, s.user, s.p256dh, s.auth, iso(s.created_at)),
                )
                return True
            if row[0] != s.user:
                raise Conflict("this push endpoint belongs to another user")
            # A refresh from the same browser: new keys, but it stays as old as it was.
            conn.execute(
                "UPDATE push_subscriptions SET p256dh = ?, auth = ? WHERE endpoint = ?",
                (s.p256dh, s.auth, s.endpoint),
            )
            return False

        return await self._db.write(upsert)

    async def for_user(self, user: str) -> list[PushSubscription]:
        def select(conn: sqlite3.Connection) -> list[PushSubscription]:
            cur = conn.execute(
                "SELECT endpoint, p256dh, auth, created_at FROM push_subscriptions "
                "WHERE user = ? ORDER BY created_at, rowid",
                (user,),
            )
            return [
                PushSubscription(
                    user=user,
                    endpoint=row[0],
                    p256dh=row[1],
                    auth=row[2],
                    created_at=datetime.fromisoformat(row[3]),
                )
                for row in cur
            ]

        return await self._db.read(select)

    async def remove(self, user: str, endpoint: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM push_subscriptions WHERE endpoint = ? AND user = ?", (endpoint, user)
            )
            return cur.rowcount > 0

        return await self._db.write(delete)

    async def discard(self, endpoint: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))

        await self._db.write(delete)
