"""SQLite adapter: WAL, one writer thread, a small pool of reader threads.

Writes go through a single-thread executor so they never contend with each other inside the
process; WAL lets readers run alongside. The change counter is read on the event loop
itself: a primary-key lookup that WAL never blocks.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.store.sqlite_schema import MIGRATIONS

T = TypeVar("T")

_COLUMNS = (
    "media_type, tmdb_id, title, year, overview, poster_path, imdb_id, tvdb_id, status, "
    "requested_by, requested_at, added_at"
)
_BUMP = "UPDATE meta SET value = value + 1 WHERE key = 'revision'"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


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
    )


class SQLiteStore:
    def __init__(self, path: Path | str, readers: int = 2) -> None:
        self.path = Path(path)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._probe: sqlite3.Connection | None = None

    # plumbing ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA busy_timeout = 30000")
        with self._lock:
            self._connections.append(conn)
        return conn

    def _thread_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    async def _run(self, executor: ThreadPoolExecutor, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            try:
                return fn(self._thread_conn())
            except sqlite3.IntegrityError as exc:
                raise Conflict(str(exc)) from None
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite: {exc}") from exc

        return await asyncio.get_running_loop().run_in_executor(executor, call)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(self._readers, fn)

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def transaction(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return await self._run(self._writer, transaction)

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def migrate(conn: sqlite3.Connection) -> None:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )

        await self._run(self._writer, migrate)
        self._probe = self._connect()

    async def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    async def revision(self) -> int:
        if self._probe is None:
            raise StoreError("store is not open")
        row = self._probe.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0])

    # requests ------------------------------------------------------------------------
    async def add_request(self, request: MediaRequest) -> None:
        r = request

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO requests ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    _iso(r.requested_at),
                    _iso(r.added_at),
                ),
            )
            conn.execute(_BUMP)

        await self._write(insert)

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None:
        def get(conn: sqlite3.Connection) -> MediaRequest | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM requests WHERE media_type = ? AND tmdb_id = ?",
                (media_type.value, tmdb_id),
            ).fetchone()
            return _row_to_request(row) if row else None

        return await self._read(get)

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM requests WHERE media_type = ? AND tmdb_id = ?",
                (media_type.value, tmdb_id),
            )
            if cur.rowcount:
                conn.execute(_BUMP)
            return cur.rowcount > 0

        return await self._write(delete)

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE requests SET status = 'added', added_at = ? "
                "WHERE media_type = ? AND tmdb_id = ?",
                (_iso(when), media_type.value, tmdb_id),
            )
            if cur.rowcount:
                conn.execute(_BUMP)
            return cur.rowcount > 0

        return await self._write(update)

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        def select(conn: sqlite3.Connection) -> list[MediaRequest]:
            sql = f"SELECT {_COLUMNS} FROM requests"
            args: tuple[str, ...] = ()
            if media_type is not None:
                sql += " WHERE media_type = ?"
                args = (media_type.value,)
            sql += " ORDER BY requested_at DESC, rowid DESC"
            return [_row_to_request(row) for row in conn.execute(sql, args)]

        return await self._read(select)

    # library -------------------------------------------------------------------------
    async def replace_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        rows = [(media_type.value, int(i)) for i in set(tmdb_ids)]

        def replace(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM library WHERE media_type = ?", (media_type.value,))
            conn.executemany("INSERT INTO library (media_type, tmdb_id) VALUES (?, ?)", rows)
            conn.execute(_BUMP)

        await self._write(replace)

    async def library_ids(self, media_type: MediaType) -> list[int]:
        def select(conn: sqlite3.Connection) -> list[int]:
            cur = conn.execute(
                "SELECT tmdb_id FROM library WHERE media_type = ? ORDER BY tmdb_id",
                (media_type.value,),
            )
            return [row[0] for row in cur]

        return await self._read(select)

    # login protection ----------------------------------------------------------------
    async def failure_count(self, key: str, now: float) -> int:
        def select(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT count FROM login_failures WHERE key = ? AND expires_at > ?", (key, now)
            ).fetchone()
            return int(row[0]) if row else 0

        return await self._read(select)

    async def record_failure(self, key: str, now: float, window_seconds: int) -> int:
        def upsert(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM login_failures WHERE expires_at <= ?", (now,))
            row = conn.execute(
                "INSERT INTO login_failures (key, count, expires_at) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                "count = CASE WHEN expires_at > ? THEN count + 1 ELSE 1 END, "
                "expires_at = CASE WHEN expires_at > ? "
                "THEN expires_at ELSE excluded.expires_at END "
                "RETURNING count",
                (key, now + window_seconds, now, now),
            ).fetchone()
            return int(row[0])

        return await self._write(upsert)

    async def clear_failures(self, key: str) -> None:
        await self._write(
            lambda conn: conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))
        )

    async def claim_challenge(self, challenge: str, expires_at: float, now: float) -> bool:
        def claim(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM used_challenges WHERE expires_at <= ?", (now,))
            cur = conn.execute(
                "INSERT OR IGNORE INTO used_challenges (challenge, expires_at) VALUES (?, ?)",
                (challenge, expires_at),
            )
            return cur.rowcount == 1

        return await self._write(claim)
