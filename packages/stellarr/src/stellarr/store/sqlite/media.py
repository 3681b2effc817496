"""Requests, library and revision on SQLite."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import repeat

from stellarr.domain.errors import StoreError
from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus
from stellarr.store.sqlite.database import SQLiteDatabase

_COLUMNS = (
    "media_type, tmdb_id, title, year, overview, poster_path, imdb_id, tvdb_id, status, "
    "requested_by, requested_at, added_at, monitor"
)
# Every change bumps the revision in its own transaction, so no reader sees new data
# under an old revision.
_BUMP = "UPDATE meta SET value = value + 1 WHERE key = 'revision'"
# Library ids travel as one JSON array each way: SQLite's json_each and json_group_array
# walk it in C, where binding row by row (executemany) or fetching row by row costs two
# to three times as much for 50,000 titles.
_LIBRARY_JSON = (
    "SELECT json_group_array(tmdb_id) FROM "
    "(SELECT tmdb_id FROM library WHERE media_type = ? ORDER BY tmdb_id)"
)
_INSERT = "INSERT INTO library (media_type, tmdb_id) SELECT ?, value FROM json_each(?)"
_INSERT_NEW = (
    "INSERT OR IGNORE INTO library (media_type, tmdb_id) SELECT ?, value FROM json_each(?)"
)
_DELETE_ONE = "DELETE FROM library WHERE media_type = ? AND tmdb_id = ?"
# Replaces started but not yet applied: `library_seq` counts starts; `library_started_<type>`
# and `library_replaced_<type>` are the seq of the newest start and of the start of the last
# replace applied. While a replace is in flight (started > replaced) an add also stamps its
# titles with the current seq in `library_added`, and the replace started at N keeps those
# stamped N or later. The stamps live apart from the library, so a replace's bulk writes
# stay as narrow as they were.
_STATE = (
    "SELECT (SELECT value FROM meta WHERE key = 'library_seq'), "
    "(SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?)"
)
_NEXT_SEQ = "UPDATE meta SET value = value + 1 WHERE key = 'library_seq'"
_GET = "SELECT value FROM meta WHERE key = ?"
_SET = "UPDATE meta SET value = ? WHERE key = ?"
_STAMP = (
    "INSERT INTO library_added (media_type, tmdb_id, seq) SELECT ?, value, ? FROM json_each(?) "
    "WHERE true ON CONFLICT (media_type, tmdb_id) DO UPDATE SET seq = excluded.seq"
)
_ADDED_SINCE = (
    "SELECT json_group_array(tmdb_id) FROM library_added WHERE media_type = ? AND seq >= ?"
)
_FORGET_STAMPS = "DELETE FROM library_added WHERE media_type = ? AND seq < ?"


def iso(value: datetime | None) -> str | None:
    """How a datetime is stored: UTC ISO 8601 to the microsecond, so text order is time order."""
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _sorted_ids(tmdb_ids: Iterable[int]) -> list[int]:
    """Distinct and ascending: the library's primary-key order, so a bulk insert appends to
    the B-tree instead of splitting pages all over it."""
    return sorted(set(map(int, tmdb_ids)))


def _json(ids: list[int]) -> str:
    """The form json_group_array writes, so an unchanged library compares equal as text."""
    return json.dumps(ids, separators=(",", ":"))


def _row_to_request(row: sqlite3.Row) -> MediaRequest:
    return MediaRequest(
        media_type=MediaType(row["media_type"]),
        tmdb_id=row["tmdb_id"],
        title=row["title"],
        year=row["year"],
        overview=row["overview"],
        poster_path=row["poster_path"],
        imdb_id=row["imdb_id"],
        tvdb_id=row["tvdb_id"],
        status=RequestStatus(row["status"]),
        requested_by=row["requested_by"],
        requested_at=datetime.fromisoformat(row["requested_at"]),
        added_at=datetime.fromisoformat(row["added_at"]) if row["added_at"] else None,
        monitor=Monitor(row["monitor"]),
    )


class SQLiteMediaStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def revision(self) -> int:
        # A stat per poll: a file deleted or truncated under a running server is an error,
        # never old data served as if nothing happened.
        self._db.check_file()
        try:
            row = self._db.probe.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        except sqlite3.Error as exc:  # e.g. the file was truncated under a running server
            raise StoreError(f"sqlite: {exc}") from exc
        if row is None:
            raise StoreError("sqlite: the revision row is missing")
        return int(row[0])

    async def add_request(self, request: MediaRequest) -> None:
        r = request

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO requests ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    r.media_type.value,
                    r.tmdb_id,
                    r.title,
                    r.year,
                    r.overview,
                    r.poster_path,
                    r.imdb_id,
                    r.tvdb_id,
                    r.status.value,
                    r.requested_by,
                    iso(r.requested_at),
                    iso(r.added_at),
                    r.monitor.value,
                ),
            )
            conn.execute(_BUMP)

        await self._db.write(insert)

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None:
        def get(conn: sqlite3.Connection) -> MediaRequest | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM requests WHERE media_type = ? AND tmdb_id = ?",
                (media_type.value, tmdb_id),
            ).fetchone()
            return _row_to_request(row) if row else None

        return await self._db.read(get)

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM requests WHERE media_type = ? AND tmdb_id = ?",
                (media_type.value, tmdb_id),
            )
            if cur.rowcount:
                conn.execute(_BUMP)
            return cur.rowcount > 0

        return await self._db.write(delete)

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE requests SET status = 'added', added_at = ? "
                "WHERE media_type = ? AND tmdb_id = ? AND status = 'pending'",
                (iso(when), media_type.value, tmdb_id),
            )
            if cur.rowcount:
                conn.execute(_BUMP)
            return cur.rowcount > 0

        return await self._db.write(update)

    async def set_monitor(self, media_type: MediaType, tmdb_id: int, monitor: Monitor) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            key = (media_type.value, tmdb_id)
            cur = conn.execute(
                "UPDATE requests SET monitor = ? WHERE media_type = ? AND tmdb_id = ? "
                "AND status = 'pending' AND monitor != ?",
                (monitor.value, *key, monitor.value),
            )
            if cur.rowcount:
                conn.execute(_BUMP)
                return True
            # Unchanged: already so (True), or not a pending request (False).
            row = conn.execute(
                "SELECT 1 FROM requests WHERE media_type = ? AND tmdb_id = ? "
                "AND status = 'pending'",
                key,
            ).fetchone()
            return row is not None

        return await self._db.write(update)

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        def select(conn: sqlite3.Connection) -> list[MediaRequest]:
            sql = f"SELECT {_COLUMNS} FROM requests"
            args: tuple[str, ...] = ()
            if media_type is not None:
                sql += " WHERE media_type = ?"
                args = (media_type.value,)
            sql += " ORDER BY requested_at DESC, rowid DESC"
            return [_row_to_request(row) for row in conn.execute(sql, args)]

        return await self._db.read(select)

    async def start_library_replace(self, media_type: MediaType) -> int:
        started = f"library_started_{media_type.value}"

        def start(conn: sqlite3.Connection) -> int:
            # Not a change anyone reads, so the revision stays.
            conn.execute(_NEXT_SEQ)
            seq = int(conn.execute(_GET, ("library_seq",)).fetchone()[0])
            conn.execute(_SET, (seq, started))
            return seq

        return await self._db.write(start)

    async def cancel_library_replace(self, media_type: MediaType, started: int) -> None:
        return None  # nothing is held; adds go on stamping until the next replace applies

    async def replace_library(
        self, media_type: MediaType, tmdb_ids: Iterable[int], started: int | None = None
    ) -> None:
        kind = media_type.value
        ids = _sorted_ids(tmdb_ids)
        replaced = f"library_replaced_{kind}"

        def replace(conn: sqlite3.Connection) -> None:
            # Read inside the write transaction, so the difference is against the library
            # as it is now; readers see the old set or the new one whatever is written.
            if started is None:  # starts here, so no add can come in between
                conn.execute(_NEXT_SEQ)
                since = int(conn.execute(_GET, ("library_seq",)).fetchone()[0])
            elif started < conn.execute(_GET, (replaced,)).fetchone()[0]:
                return  # a replace started later has been applied: it wins
            else:
                since = started
            conn.execute(_SET, (since, replaced))
            conn.execute(_FORGET_STAMPS, (kind, since))  # no replace left can want them
            kept: str = conn.execute(_ADDED_SINCE, (kind, since)).fetchone()[0]
            wanted_ids = ids if kept == "[]" else sorted({*ids, *json.loads(kept)})
            wanted = _json(wanted_ids)
            there: str = conn.execute(_LIBRARY_JSON, (kind,)).fetchone()[0]
            if there == wanted:
                return  # a re-sync of an unchanged library writes nothing
            old = set(json.loads(there))
            added = [i for i in wanted_ids if i not in old]
            leaving = old.difference(wanted_ids)
            if len(leaving) + len(added) < len(wanted_ids):
                # A few changes: touch only those rows.
                conn.executemany(_DELETE_ONE, zip(repeat(kind), leaving))
                conn.execute(_INSERT, (kind, _json(added)))
            else:
                conn.execute("DELETE FROM library WHERE media_type = ?", (kind,))
                conn.execute(_INSERT, (kind, wanted))
            conn.execute(_BUMP)

        await self._db.write(replace)

    async def add_to_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        kind = media_type.value
        ids = _json(_sorted_ids(tmdb_ids))
        state = (f"library_started_{kind}", f"library_replaced_{kind}")

        def insert(conn: sqlite3.Connection) -> None:
            before = conn.total_changes
            conn.execute(_INSERT_NEW, (kind, ids))
            if conn.total_changes != before:  # titles already there change nothing
                conn.execute(_BUMP)
            seq, started, replaced = conn.execute(_STATE, state).fetchone()
            if started > replaced:
                # A replace is in flight: these titles, new or already there, must outlive it.
                conn.execute(_STAMP, (kind, seq, ids))

        await self._db.write(insert)

    async def library_ids(self, media_type: MediaType) -> list[int]:
        def select(conn: sqlite3.Connection) -> list[int]:
            cur = conn.execute(
                "SELECT tmdb_id FROM library WHERE media_type = ? ORDER BY tmdb_id",
                (media_type.value,),
            )
            return [row[0] for row in cur]

        return await self._db.read(select)
