"""A queue in SQLite with SQS's semantics: visibility timeouts, receive counts, and a move
to the dead-letter queue when a message is received more than `max_receives` times.

No well-kept library fitted: persist-queue and litequeue have no visibility extension, no
receive counts and no dead-letter queues, and those are the point here. Time comes from an
injected clock, so tests move it forward instead of waiting.

A waiting `receive` does not sleep-poll: it looks with a read (no write lock), then sleeps on
the database's change notification (`Database.wait_for_change`: at once for a send in this
process, within a few milliseconds for one from another process), and looks again at least
every `poll` seconds for messages that become visible by time (delays, visibility timeouts).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable

from stereospot.local.database import Database
from stereospot.ports import Message

Clock = Callable[[], float]


class SQLiteQueue:
    def __init__(
        self,
        db: Database,
        name: str,
        *,
        visibility: float,
        max_receives: int | None = None,
        dead: SQLiteQueue | None = None,
        clock: Clock = time.time,
        poll: float = 0.05,
    ) -> None:
        self.db, self.name, self.visibility = db, name, visibility
        self.max_receives, self.dead, self.clock, self.poll = max_receives, dead, clock, poll

    def send(self, body: str, delay: float = 0) -> str:
        message_id = secrets.token_hex(12)
        visible_at = self.clock() + delay
        self.db.write(
            lambda conn: conn.execute(
                "INSERT INTO messages (queue, message_id, body, visible_at, receive_count) "
                "VALUES (?, ?, ?, ?, 0)",
                (self.name, message_id, body, visible_at),
            )
        )
        self.db.ring()
        return message_id

    def receive(self, max_messages: int = 1, wait: float = 0) -> list[Message]:
        deadline = time.monotonic() + wait
        while True:
            generation = self.db.generation()
            # A read first: an empty queue costs no write transaction (and no write lock
            # that other processes would queue behind).
            if self._visible():
                found, moved = self.db.write(lambda conn: self._take(conn, max_messages))
                if moved:
                    self.db.ring()  # the dead-letter queue's consumer may be waiting
                if found:
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self.db.wait_for_change(generation, min(self.poll, left))
            if self.db.released:
                return []  # the process is stopping

    def _visible(self) -> bool:
        now = self.clock()
        row = self.db.read(
            lambda conn: conn.execute(
                "SELECT 1 FROM messages WHERE queue = ? AND visible_at <= ? LIMIT 1",
                (self.name, now),
            ).fetchone()
        )
        return row is not None

    def _take(self, conn: sqlite3.Connection, limit: int) -> tuple[list[Message], int]:
        now = self.clock()
        taken: list[Message] = []
        moved = 0
        while len(taken) < limit:
            rows = conn.execute(
                "SELECT id, message_id, body, receive_count FROM messages "
                "WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?",
                (self.name, now, limit - len(taken)),
            ).fetchall()
            if not rows:
                break
            for row in rows:
                count = row["receive_count"]
                if self.dead is not None and self.max_receives and count >= self.max_receives:
                    # As SQS does: a message past its receive limit is moved when it would be
                    # delivered again, keeping its id and body.
                    conn.execute(
                        "UPDATE messages SET queue = ?, receive_count = 0, visible_at = ?, "
                        "receipt = NULL WHERE id = ?",
                        (self.dead.name, now, row["id"]),
                    )
                    moved += 1
                    continue
                receipt = secrets.token_hex(16)
                conn.execute(
                    "UPDATE messages SET receive_count = ?, visible_at = ?, receipt = ? "
                    "WHERE id = ?",
                    (count + 1, now + self.visibility, receipt, row["id"]),
                )
                taken.append(Message(row["message_id"], receipt, row["body"], count + 1))
        return taken, moved

    def delete(self, receipt: str) -> None:
        self.db.write(
            lambda conn: conn.execute(
                "DELETE FROM messages WHERE queue = ? AND receipt = ?", (self.name, receipt)
            )
        )

    def extend(self, receipt: str, seconds: float) -> None:
        visible_at = self.clock() + seconds
        self.db.write(
            lambda conn: conn.execute(
                "UPDATE messages SET visible_at = ? WHERE queue = ? AND receipt = ?",
                (visible_at, self.name, receipt),
            )
        )
        if seconds <= 0:
            self.db.ring()  # released: visible now

    def depth(self) -> int:
        row = self.db.read(
            lambda conn: conn.execute(
                "SELECT COUNT(*) FROM messages WHERE queue = ?", (self.name,)
            ).fetchone()
        )
        return int(row[0])

    def purge(self) -> None:
        self.db.write(
            lambda conn: conn.execute("DELETE FROM messages WHERE queue = ?", (self.name,))
        )
