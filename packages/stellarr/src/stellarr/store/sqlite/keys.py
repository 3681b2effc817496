"""Expiring keys on SQLite: one table; expired rows are pruned by the writes that pass."""

from __future__ import annotations

import sqlite3

from stellarr.store.ports import Entry, check_key
from stellarr.store.sqlite.database import SQLiteDatabase

_PRUNE = "DELETE FROM expiring_keys WHERE expires_at <= ?"


class SQLiteExpiringKeys:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def get(self, key: str, now: float) -> Entry | None:
        check_key(key)

        def select(conn: sqlite3.Connection) -> Entry | None:
            row = conn.execute(
                "SELECT value, count, expires_at FROM expiring_keys "
                "WHERE key = ? AND expires_at > ?",
                (key, now),
            ).fetchone()
            return Entry(row[0], int(row[1]), float(row[2])) if row else None

        return await self._db.read(select)

    async def put(
        self, key: str, value: str, expires_at: float, now: float, *, replace: bool = True
    ) -> bool:
        check_key(key)

        def upsert(conn: sqlite3.Connection) -> bool:
            conn.execute(_PRUNE, (now,))
            verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
            cur = conn.execute(
                f"{verb} INTO expiring_keys (key, value, count, expires_at) VALUES (?, ?, 0, ?)",
                (key, value, expires_at),
            )
            return cur.rowcount == 1

        return await self._db.write(upsert)

    async def add(self, key: str, amount: int, expires_at: float, now: float) -> int:
        check_key(key)

        def upsert(conn: sqlite3.Connection) -> int:
            conn.execute(_PRUNE, (now,))
            row = conn.execute(
                "INSERT INTO expiring_keys (key, count, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count "
                "RETURNING count",
                (key, amount, expires_at),
            ).fetchone()
            return int(row[0])

        return await self._db.write(upsert)
