"""The SQLite backend: one database file, shared by its adapters."""

from __future__ import annotations

from pathlib import Path

from stellarr.store.ports import Stores
from stellarr.store.sqlite.database import DatabaseMissing, SQLiteDatabase, marker_path
from stellarr.store.sqlite.keys import SQLiteExpiringKeys
from stellarr.store.sqlite.media import SQLiteMediaStore
from stellarr.store.sqlite.push import SQLitePushSubscriptions


def sqlite_stores(path: Path | str) -> Stores:
    db = SQLiteDatabase(path)
    return Stores(
        database=db,
        media=SQLiteMediaStore(db),
        keys=SQLiteExpiringKeys(db),
        push=SQLitePushSubscriptions(db),
    )


__all__ = ["DatabaseMissing", "SQLiteDatabase", "marker_path", "sqlite_stores"]
