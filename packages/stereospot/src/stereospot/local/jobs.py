"""SQLite adapters for JobStore, SegmentCompletions and ReassemblyTriggered.

A job row keeps the columns that queries and conditions use; the rest is one JSON column.
Every conditional update is a read and a write inside one IMMEDIATE transaction.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Collection, Mapping
from typing import Any

from stereospot.errors import Conflict, NotFound
from stereospot.jobs.codec import from_dict, to_dict
from stereospot.jobs.models import (
    Job,
    JobStatus,
    SegmentCompletion,
    SegmentState,
    SegmentStatus,
    check_changeable,
)
from stereospot.jobs.states import advance
from stereospot.local.database import Database
from stereospot.ports import ListOrder

_COLUMNS = "job_id, owner, status, created_at, updated_at, completed_at, version, "
_COLUMNS += "lease_owner, lease_expires, data"


def _row(job: Job) -> tuple[Any, ...]:
    return (
        job.job_id,
        job.owner,
        job.status.value,
        job.created_at,
        job.updated_at,
        job.completed_at,
        job.version,
        job.lease_owner,
        job.lease_expires,
        json.dumps(to_dict(job)),
    )


def _job(row: sqlite3.Row) -> Job:
    data = json.loads(row["data"])
    data.update({k: row[k] for k in ("status", "updated_at", "completed_at", "version")})
    data.update(lease_owner=row["lease_owner"], lease_expires=row["lease_expires"])
    return from_dict(data)


def _fetch(conn: sqlite3.Connection, job_id: str) -> Job | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _job(row)


def _store(conn: sqlite3.Connection, job: Job) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO jobs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", _row(job)
    )


class SQLiteJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, job: Job) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            if _fetch(conn, job.job_id) is not None:
                raise Conflict(f"job {job.job_id} exists")
            _store(conn, job)

        self.db.write(insert)

    def get(self, job_id: str) -> Job | None:
        return self.db.read(lambda conn: _fetch(conn, job_id))

    def update(
        self,
        job_id: str,
        *,
        when: Collection[JobStatus],
        now: float,
        status: JobStatus | None = None,
        changes: Mapping[str, Any] | None = None,
        version: int | None = None,
    ) -> Job:
        check_changeable(changes)

        def apply(conn: sqlite3.Connection) -> Job:
            job = _fetch(conn, job_id)
            if job is None:
                raise NotFound(f"no job {job_id}")
            if job.status not in when or (version is not None and job.version != version):
                raise Conflict(f"job {job_id} is {job.status} (version {job.version})")
            new = dataclasses.replace(
                job,
                **dict(changes or {}),
                status=advance(job, status),
                version=job.version + 1,
                updated_at=now,
            )
            _store(conn, new)
            return new

        return self.db.write(apply)

    def acquire_lease(self, job_id: str, owner: str, until: float, now: float) -> bool:
        def take(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE jobs SET lease_owner = ?, lease_expires = ? WHERE job_id = ? AND "
                "(lease_owner IS NULL OR lease_owner = ? OR lease_expires <= ?)",
                (owner, until, job_id, owner, now),
            )
            return cursor.rowcount == 1

        return self.db.write(take)

    def release_lease(self, job_id: str, owner: str) -> None:
        self.db.write(
            lambda conn: conn.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_expires = NULL "
                "WHERE job_id = ? AND lease_owner = ?",
                (job_id, owner),
            )
        )

    def find(
        self,
        statuses: Collection[JobStatus],
        *,
        order: ListOrder = "created",
        owner: str | None = None,
        limit: int = 50,
    ) -> list[Job]:
        column = "created_at" if order == "created" else "completed_at"
        marks = ",".join("?" * len(statuses))
        sql = f"SELECT {_COLUMNS} FROM jobs WHERE status IN ({marks})"
        args: list[Any] = [s.value for s in statuses]
        if owner is not None:
            sql += " AND owner = ?"
            args.append(owner)
        sql += f" ORDER BY {column} DESC, job_id DESC LIMIT ?"
        rows = self.db.read(lambda conn: conn.execute(sql, [*args, limit]).fetchall())
        return [_job(row) for row in rows]

    def stalled(self, before: float, statuses: Collection[JobStatus]) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        sql = f"SELECT {_COLUMNS} FROM jobs WHERE status IN ({marks}) AND updated_at < ?"
        args = [*(s.value for s in statuses), before]
        return [_job(r) for r in self.db.read(lambda conn: conn.execute(sql, args).fetchall())]

    def set_segment(self, job_id: str, state: SegmentState, now: float) -> None:
        def put(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO segment_states VALUES (?,?,?,?,?)",
                (job_id, state.index, state.status.value, state.progress, state.error),
            )
            # Progress keeps the job off the reconciler's list; the version tells live views.
            bumped = conn.execute(
                "UPDATE jobs SET updated_at = ?, version = version + 1 WHERE job_id = ?",
                (now, job_id),
            )
            if bumped.rowcount != 1:
                raise NotFound(f"no job {job_id}")  # rolls the state back too

        self.db.write(put)

    def segments(self, job_id: str) -> list[SegmentState]:
        rows = self.db.read(
            lambda conn: conn.execute(
                "SELECT idx, status, progress, error FROM segment_states WHERE job_id = ? "
                "ORDER BY idx",
                (job_id,),
            ).fetchall()
        )
        return [
            SegmentState(r["idx"], SegmentStatus(r["status"]), r["progress"], r["error"])
            for r in rows
        ]

    def delete(self, job_id: str) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM segment_states WHERE job_id = ?", (job_id,))
            conn.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))

        self.db.write(remove)


class SQLiteCompletions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, completion: SegmentCompletion) -> None:
        c = completion
        self.db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO completions VALUES (?,?,?,?,?,?)",
                (
                    c.job_id,
                    c.index,
                    c.total,
                    c.output_key,
                    c.completed_at,
                    json.dumps(dict(c.report)),
                ),
            )
        )

    def of_job(self, job_id: str) -> list[SegmentCompletion]:
        rows = self.db.read(
            lambda conn: conn.execute(
                "SELECT * FROM completions WHERE job_id = ? ORDER BY idx", (job_id,)
            ).fetchall()
        )
        return [
            SegmentCompletion(
                r["job_id"],
                r["idx"],
                r["total"],
                r["output_key"],
                r["completed_at"],
                json.loads(r["report"]),
            )
            for r in rows
        ]

    def delete_job(self, job_id: str) -> None:
        self.db.write(
            lambda conn: conn.execute("DELETE FROM completions WHERE job_id = ?", (job_id,))
        )


class SQLiteTriggers:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, job_id: str, expires_at: float, now: float) -> bool:
        def once(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO triggers VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET "
                "expires_at = excluded.expires_at WHERE triggers.expires_at <= ?",
                (job_id, expires_at, now),
            )
            return cursor.rowcount == 1

        return self.db.write(once)

    def clear(self, job_id: str) -> None:
        self.db.write(lambda conn: conn.execute("DELETE FROM triggers WHERE job_id = ?", (job_id,)))
