"""The SQLite handle every SQLite adapter shares: WAL, one writer thread, a few readers.

Writes go through a single-thread executor so they never contend with each other inside the
process; WAL lets readers run alongside. The change counter is read on the event loop itself
through `probe`: a primary-key lookup that WAL never blocks.

A database that disappears must never look like an empty one: Radarr takes an empty list as
"unmonitor everything". So the data folder remembers that it was initialised (a marker next
to the file), a missing or empty database there refuses to open, and every write checks,
before it commits, that the file it is writing to is still the one that was opened.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from stellarr.domain.errors import Conflict, StoreError
from stellarr.store.sqlite.schema import MIGRATIONS

T = TypeVar("T")


class DatabaseMissing(StoreError):
    """An initialised data folder lost its database; starting empty would unmonitor all."""


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".created")


class SQLiteDatabase:
    probe_interval = 1.0  # a health probe is a local lock round trip

    def __init__(self, path: Path | str, readers: int = 2) -> None:
        self.path = Path(path)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._probe: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    # lifecycle -----------------------------------------------------------------------
    async def open(self) -> None:
        created = self._prepare_file()

        def migrate(conn: sqlite3.Connection) -> None:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )

        await self._run(self._writer, migrate)
        # Also for a database that predates the marker: from now on this folder knows it
        # holds one, so losing the file is refused instead of served as an empty list.
        if created or not marker_path(self.path).exists():
            _write_private(marker_path(self.path), datetime.now(UTC).isoformat() + "\n")
        self._probe = self._connect()

    async def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._probe = None

    async def check_writable(self) -> None:
        def probe(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock; fails on a read-only file
            try:
                self.check_file()
            finally:
                conn.execute("ROLLBACK")

        await self._run(self._writer, probe)

    def _prepare_file(self) -> bool:
        """Create the folder (0700) and file (0600) on first use; True when created."""
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
        empty = not self.path.exists() or self.path.stat().st_size == 0
        if empty and marker_path(self.path).exists():
            raise DatabaseMissing(
                f"the database {self.path} is missing or empty, but this data folder held one "
                f"(see {marker_path(self.path).name}). Restore it from a backup; to really "
                "start with no requests, run `stellarr start-afresh`."
            )
        if empty:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        stat = self.path.stat()
        self._identity = (stat.st_dev, stat.st_ino)
        return empty

    def check_file(self) -> None:
        """Raise StoreError when the file was deleted, replaced or truncated under us."""
        try:
            stat = self.path.stat()
        except OSError:
            stat = None
        if stat is None or (stat.st_dev, stat.st_ino) != self._identity or stat.st_size == 0:
            raise StoreError(
                f"the database file {self.path} was removed or replaced while Stellarr was "
                "running; nothing more is written. Restore it and restart."
            )

    # connections ---------------------------------------------------------------------
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

    @property
    def probe(self) -> sqlite3.Connection:
        if self._probe is None:
            raise StoreError("store is not open")
        return self._probe

    async def _run(self, executor: ThreadPoolExecutor, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            try:
                return fn(self._thread_conn())
            except sqlite3.IntegrityError as exc:
                raise Conflict(str(exc)) from None
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite: {exc}") from exc

        try:
            return await asyncio.get_running_loop().run_in_executor(executor, call)
        except RuntimeError as exc:  # the executor was shut down: closing is final
            raise StoreError("store is closed") from exc

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(self._readers, fn)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in one IMMEDIATE transaction on the writer thread."""

        def transaction(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                self.check_file()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return await self._run(self._writer, transaction)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
