"""The one SQLite handle the local adapters share: WAL, one writer at a time, a connection
per thread, the schema migrated on open.

Writes take an in-process lock and then SQLite's own (BEGIN IMMEDIATE), so threads never
spin on SQLITE_BUSY and separate worker processes still serialise correctly.

`wait_for_change` is how idle queue consumers sleep: a write in this process (`ring`) wakes
them at once, and one watcher thread per process notices other processes' commits by
`PRAGMA data_version` (a read of the WAL index, no lock, no I/O) every few milliseconds.
Commits stay `synchronous = NORMAL` in WAL mode: no fsync per commit, and a committed row
survives a crash of any process (only a power cut can lose the last commits).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from stereospot.errors import Conflict, StorageFull, StoreError

T = TypeVar("T")

MIGRATIONS = [
    """
    CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, status TEXT NOT NULL,
        created_at REAL NOT NULL, updated_at REAL NOT NULL, completed_at REAL,
        version INTEGER NOT NULL, lease_owner TEXT, lease_expires REAL, data TEXT NOT NULL
    );
    CREATE INDEX jobs_status_created ON jobs (status, created_at);
    CREATE INDEX jobs_status_completed ON jobs (status, completed_at);
    CREATE TABLE segment_states (
        job_id TEXT NOT NULL, idx INTEGER NOT NULL, status TEXT NOT NULL,
        progress INTEGER NOT NULL, error TEXT, PRIMARY KEY (job_id, idx)
    );
    CREATE TABLE completions (
        job_id TEXT NOT NULL, idx INTEGER NOT NULL, total INTEGER NOT NULL,
        output_key TEXT NOT NULL, completed_at REAL NOT NULL, report TEXT NOT NULL,
        PRIMARY KEY (job_id, idx)
    );
    CREATE TABLE triggers (job_id TEXT PRIMARY KEY, expires_at REAL NOT NULL);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL,
        body TEXT NOT NULL, visible_at REAL NOT NULL, receive_count INTEGER NOT NULL,
        receipt TEXT
    );
    CREATE INDEX messages_ready ON messages (queue, visible_at);
    CREATE UNIQUE INDEX messages_receipt ON messages (receipt);
    """,
]


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._changed = threading.Condition(threading.Lock())
        self._generation = 0  # grows with every change seen (rung here or by the watcher)
        self._waiters = 0
        self._released = False  # release_waits: nobody waits any more
        self._watcher: threading.Thread | None = None
        self.watch_interval = 0.005

    def open(self) -> None:
        # Jobs name their owners and their files: the database is this user's alone, like
        # the token and key files beside it (0600 in a 0700 folder). SQLite gives its -wal
        # and -shm files the database's own mode.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (self.path, *(Path(f"{self.path}{end}") for end in ("-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                found = path.stat()
                # Made readable to others by an older version; another user's file (a shared
                # volume) is theirs to change.
                if found.st_mode & 0o077 and found.st_uid == os.getuid():
                    path.chmod(0o600)

        def migrate(conn: sqlite3.Connection) -> None:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

        self.write(migrate)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self.ring()  # waiters return and find the database closed

    # change notification -----------------------------------------------------------------
    def generation(self) -> int:
        """A number that grows whenever a change may have been committed; take it before
        looking, then `wait_for_change(it, ...)` sleeps only if nothing happened since."""
        with self._changed:
            return self._generation

    def ring(self) -> None:
        """Wake this process's waiters: something they may want was just committed."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def release_waits(self) -> None:
        """Wake every waiter, and let no one wait again: a process about to stop wants its
        queue receivers back now, not at the end of their poll."""
        with self._changed:
            self._released = True
            self._generation += 1
            self._changed.notify_all()

    @property
    def released(self) -> bool:
        return self._released

    def wait_for_change(self, generation: int, timeout: float) -> None:
        """Sleep until the generation passes `generation` (a commit here, or one by another
        process seen by the watcher) or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._waiters += 1
            try:
                if self._watcher is None and not self._closed:
                    self._watcher = threading.Thread(
                        target=self._watch, name="sqlite-watch", daemon=True
                    )
                    self._watcher.start()
                while self._generation == generation and not (self._closed or self._released):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return
                    self._changed.wait(left)
            finally:
                self._waiters -= 1

    def _watch(self) -> None:
        """While anyone waits, poll `PRAGMA data_version` (it changes when another
        connection commits) and ring on a change. Ends with the database."""
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            last = conn.execute("PRAGMA data_version").fetchone()[0]
            while not self._closed:
                with self._changed:
                    while self._waiters == 0 and not self._closed:
                        self._changed.wait(1.0)
                time.sleep(self.watch_interval)
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != last:
                    last = version
                    self.ring()
        except sqlite3.Error:
            pass  # the file went away with the data folder; waiters fall back to timeouts
        finally:
            conn.close()
            with self._changed:
                self._watcher = None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                if self._closed:
                    raise StoreError("database is closed")
                conn = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA busy_timeout = 30000")
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return fn(self._conn())
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite: {exc}") from exc

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in one IMMEDIATE transaction; rolled back if it or the COMMIT fails.
        A full disk is StorageFull."""
        with self._write_lock:
            conn = self._conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    # A COMMIT that failed (a full disk) leaves the transaction open, and
                    # every later BEGIN on this connection would fail: end it. SQLite may
                    # have rolled back by itself already.
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
                return result
            except sqlite3.IntegrityError as exc:
                raise Conflict(str(exc)) from None
            except sqlite3.Error as exc:
                if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
                    raise StorageFull("the server's storage is full; nothing was stored") from exc
                raise StoreError(f"sqlite: {exc}") from exc
