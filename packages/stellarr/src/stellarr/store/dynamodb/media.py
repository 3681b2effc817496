"""Requests, library and revision on DynamoDB (the table layout is in __init__.py; the
library's generations are in library.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from stellarr.aws.marshal import Expr, Item
from stellarr.domain.errors import Conflict
from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus
from stellarr.retry import RetryPolicy, retrying
from stellarr.store.dynamodb.codec import (
    META,
    PK,
    REVISION_SK,
    iso,
    primary_key,
    request_item,
    request_order,
    to_request,
)
from stellarr.store.dynamodb.library import GenerationalLibrary
from stellarr.store.dynamodb.table import DynamoDBTable

# Transactions that touch the revision item at the same moment cancel each other.
CONFLICT_POLICY = RetryPolicy(attempts=8, base_delay=0.02, max_delay=0.5)


class DynamoDBMediaStore:
    def __init__(self, table: DynamoDBTable) -> None:
        self._table = table
        self._db = table.client
        self.table = table.name
        self._errors = table.errors
        self._last_seq = 0
        self.library = GenerationalLibrary(table, self._write_and_bump)

    def _next_seq(self) -> int:
        self._last_seq = max(time.time_ns(), self._last_seq + 1)
        return self._last_seq

    async def revision(self) -> int:
        with self._errors("revision"):
            item = await self._db.get_item(
                self.table, primary_key(META, REVISION_SK), consistent_read=True
            )
        return int(item["revision"]["N"]) if item and "revision" in item else 0

    def _bump_action(self) -> dict[str, Any]:
        expr = Expr()
        update = f"ADD {expr.name('revision')} {expr.value(1)}"
        return {
            "Update": expr.apply(
                {
                    "TableName": self.table,
                    "Key": primary_key(META, REVISION_SK),
                    "UpdateExpression": update,
                }
            )
        }

    async def _write_and_bump(self, kind: str, action: dict[str, Any]) -> bool:
        """One change and the revision bump in a single transaction, so no reader can see
        new data under an old revision. False when the change's own condition failed; a
        conflict with another writer bumping the revision is retried."""
        actions = [{kind: {"TableName": self.table, **action}}, self._bump_action()]

        async def attempt() -> bool:
            return await self._table.write_transaction(actions) is None

        return await retrying(attempt, CONFLICT_POLICY, what=f"DynamoDB {kind} + revision")

    # requests ------------------------------------------------------------------------
    async def add_request(self, request: MediaRequest) -> None:
        expr = Expr()
        put = {
            "Item": request_item(request, self._next_seq()),
            "ConditionExpression": f"attribute_not_exists({expr.name(PK)})",
        }
        with self._errors("add_request"):
            added = await self._write_and_bump("Put", expr.apply(put))
        if not added:
            raise Conflict(f"{request.media_type}/{request.tmdb_id} already requested")

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None:
        with self._errors("get_request"):
            item = await self._db.get_item(
                self.table, primary_key(media_type.value, tmdb_id), consistent_read=True
            )
        return to_request(item) if item else None

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        expr = Expr()
        delete = {
            "Key": primary_key(media_type.value, tmdb_id),
            "ConditionExpression": f"attribute_exists({expr.name(PK)})",
        }
        with self._errors("delete_request"):
            return await self._write_and_bump("Delete", expr.apply(delete))

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        expr = Expr()
        update = expr.set_clause({"status": RequestStatus.ADDED.value, "added_at": iso(when)})
        status = expr.name("status")
        # Only a pending request changes, so exactly one caller is told and `added_at` keeps
        # the first time; attribute_exists keeps a racing delete from being undone.
        pending = expr.value(RequestStatus.PENDING.value)
        still_pending = f"(attribute_not_exists({status}) OR {status} = {pending})"
        change = {
            "Key": primary_key(media_type.value, tmdb_id),
            "UpdateExpression": update,
            "ConditionExpression": f"attribute_exists({expr.name(PK)}) AND {still_pending}",
        }
        with self._errors("mark_added"):
            return await self._write_and_bump("Update", expr.apply(change))

    async def set_monitor(self, media_type: MediaType, tmdb_id: int, monitor: Monitor) -> bool:
        expr = Expr()
        whole = monitor is Monitor.ALL
        update = expr.set_clause({"monitor": None if whole else monitor.value})
        status, field = expr.name("status"), expr.name("monitor")
        pending = expr.value(RequestStatus.PENDING.value)
        still_pending = f"(attribute_not_exists({status}) OR {status} = {pending})"
        # Only a real change writes, so re-saving the same choice leaves the revision alone.
        differs = (
            f"attribute_exists({field})"
            if whole
            else f"(attribute_not_exists({field}) OR {field} <> {expr.value(monitor.value)})"
        )
        change = {
            "Key": primary_key(media_type.value, tmdb_id),
            "UpdateExpression": update,
            "ConditionExpression": (
                f"attribute_exists({expr.name(PK)}) AND {still_pending} AND {differs}"
            ),
        }
        with self._errors("set_monitor"):
            if await self._write_and_bump("Update", expr.apply(change)):
                return True
        current = await self.get_request(media_type, tmdb_id)
        return current is not None and current.status is RequestStatus.PENDING

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        types = [media_type] if media_type else list(MediaType)
        items: list[Item] = []
        with self._errors("list_requests"):
            for kind in types:
                expr = Expr()
                items += await self._db.query(
                    self.table, expr.eq(PK, kind.value), expr, consistent_read=True
                )
        # Newest first; the insertion sequence breaks ties like SQLite's rowid does.
        items.sort(key=request_order)
        return [to_request(item) for item in reversed(items)]

    # library -------------------------------------------------------------------------
    async def start_library_replace(self, media_type: MediaType) -> int:
        with self._errors("start_library_replace"):
            return await self.library.start_replace(media_type.value)

    async def replace_library(
        self, media_type: MediaType, tmdb_ids: Iterable[int], started: int | None = None
    ) -> None:
        ids = sorted({int(i) for i in tmdb_ids})
        with self._errors("replace_library"):
            await self.library.replace(media_type.value, ids, started)

    async def cancel_library_replace(self, media_type: MediaType, started: int) -> None:
        with self._errors("cancel_library_replace"):
            await self.library.cancel_replace(media_type.value, started)

    async def add_to_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        ids = sorted({int(i) for i in tmdb_ids})
        if ids:
            with self._errors("add_to_library"):
                await self.library.add(media_type.value, ids)

    async def library_ids(self, media_type: MediaType) -> list[int]:
        with self._errors("library_ids"):
            return await self.library.ids(media_type.value)
