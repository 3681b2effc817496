"""Requests, library and revision on DynamoDB (the table layout is in __init__.py).

A library replace writes a complete new generation, then moves the pointer in one
conditional write, then deletes the old generation. Readers re-check the pointer after
reading a generation, so they never return a half-deleted set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx

from stellarr.aws.errors import AwsError
from stellarr.aws.marshal import Expr, Item
from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.retry import RetryPolicy, retrying
from stellarr.store.dynamodb.codec import (
    LIBRARY_SK,
    META,
    PK,
    REVISION_SK,
    SK,
    iso,
    library_partition,
    primary_key,
    request_item,
    request_order,
    to_request,
)
from stellarr.store.dynamodb.table import DynamoDBTable

log = logging.getLogger(__name__)

LIBRARY_READ_ATTEMPTS = 5
PRESENCE_CHECK_LIMIT = 8
# Transactions that touch the revision item at the same moment cancel each other.
CONFLICT_POLICY = RetryPolicy(attempts=8, base_delay=0.02, max_delay=0.5)


class DynamoDBMediaStore:
    def __init__(self, table: DynamoDBTable) -> None:
        self._table = table
        self._db = table.client
        self.table = table.name
        self._errors = table.errors
        self._last_seq = 0
        # The newest library generation this process has seen live, per media type.
        self._newest_live: dict[str, int] = {}

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
    async def replace_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        ids = sorted({int(i) for i in tmdb_ids})
        kind = media_type.value
        with self._errors("replace_library"):
            gen = await self._allocate_generation(kind)
            await self._put_ids(kind, gen, ids)
            old = await self._switch_generation(kind, gen)
            if old == gen:  # a replace that started later already won
                await self._drop_generation(kind, gen)
                return
        if old is not None:
            await self._drop_generation(kind, old)

    async def add_to_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        """Write the titles into the live generation, then confirm in one transaction with
        the revision bump that it is still live. A replace that moved the pointer meanwhile
        would delete them with the old generation, so they are written again into the new
        one: an add never vanishes into a generation nobody reads."""
        ids = sorted({int(i) for i in tmdb_ids})
        if not ids:
            return
        kind = media_type.value
        with self._errors("add_to_library"):
            for _ in range(LIBRARY_READ_ATTEMPTS):
                gen = await self._live_generation(kind)
                if gen is None:
                    gen = await self._start_library(kind, ids)
                    if gen is None:
                        continue  # someone else started one first: add to theirs
                elif await self._all_present(kind, gen, ids):
                    # Nothing to write, so no revision bump: an episode webhook for a show
                    # already in the library must not invalidate every cached feed.
                    return
                else:
                    await self._put_ids(kind, gen, ids)
                    if not await self._confirm_live(kind, gen):
                        await self._drop_generation(kind, gen, ids)
                        continue
                # A replace in this process that switched after our confirmation has
                # returned before us: land after it, as its caller would expect.
                if self._newest_live.get(kind, 0) <= gen:
                    return
                await self._drop_generation(kind, gen, ids)
        raise StoreError("library pointer kept changing during an add")

    async def _start_library(self, kind: str, ids: list[int]) -> int | None:
        """A first generation holding `ids`; None when another one went live first."""
        gen = await self._allocate_generation(kind)
        await self._put_ids(kind, gen, ids)
        expr = Expr()
        name = expr.name(f"library_gen_{kind}")
        start = {
            "Key": primary_key(META, LIBRARY_SK),
            "UpdateExpression": f"SET {name} = {expr.value(gen)}",
            "ConditionExpression": f"attribute_not_exists({name})",
        }
        if await self._write_and_bump("Update", expr.apply(start)):
            self._saw_live(kind, gen)
            return gen
        await self._drop_generation(kind, gen)
        return None

    async def _all_present(self, kind: str, gen: int, ids: list[int]) -> bool:
        """Whether the live generation already holds every id: a read per id, so only for
        the few titles a webhook adds; a bulk add just writes."""
        if len(ids) > PRESENCE_CHECK_LIMIT or self._newest_live.get(kind, 0) > gen:
            return False
        partition = library_partition(kind, gen)
        for tmdb_id in ids:
            item = await self._db.get_item(
                self.table, primary_key(partition, tmdb_id), consistent_read=True, projection=(SK,)
            )
            if not item:
                return False
        return True

    async def _confirm_live(self, kind: str, gen: int) -> bool:
        expr = Expr()
        check = {
            "Key": primary_key(META, LIBRARY_SK),
            "ConditionExpression": f"{expr.name(f'library_gen_{kind}')} = {expr.value(gen)}",
        }
        return await self._write_and_bump("ConditionCheck", expr.apply(check))

    async def _put_ids(self, kind: str, gen: int, ids: Iterable[int]) -> None:
        partition = library_partition(kind, gen)
        await self._db.batch_write(
            self.table, key_names=(PK, SK), puts=[primary_key(partition, i) for i in ids]
        )

    def _saw_live(self, kind: str, gen: int) -> None:
        self._newest_live[kind] = max(gen, self._newest_live.get(kind, 0))

    async def library_ids(self, media_type: MediaType) -> list[int]:
        kind = media_type.value
        with self._errors("library_ids"):
            for _ in range(LIBRARY_READ_ATTEMPTS):
                gen = await self._live_generation(kind)
                if gen is None:
                    return []
                ids = await self._generation_ids(kind, gen)
                # The pointer moves before an old generation is deleted, so an unmoved
                # pointer proves the set we read was complete.
                if await self._live_generation(kind) == gen:
                    return sorted(ids)
        raise StoreError("library kept changing while it was being read")

    async def _live_generation(self, kind: str) -> int | None:
        attribute = f"library_gen_{kind}"
        item = await self._db.get_item(
            self.table, primary_key(META, LIBRARY_SK), consistent_read=True, projection=(attribute,)
        )
        if not item or attribute not in item:
            return None
        gen = int(item[attribute]["N"])
        self._saw_live(kind, gen)
        return gen

    async def _allocate_generation(self, kind: str) -> int:
        expr = Expr()
        counter = f"library_next_{kind}"
        attributes = await self._db.update_item(
            self.table,
            primary_key(META, LIBRARY_SK),
            f"ADD {expr.name(counter)} {expr.value(1)}",
            expr,
            return_values="UPDATED_NEW",
        )
        return int(attributes[counter]["N"])

    async def _switch_generation(self, kind: str, gen: int) -> int | None:
        """Point readers at `gen` and bump the revision in one transaction; returns the
        generation replaced (gen itself when a later replace already won)."""
        for _ in range(LIBRARY_READ_ATTEMPTS):
            old = await self._live_generation(kind)
            if old is not None and old >= gen:
                return gen
            expr = Expr()
            name = expr.name(f"library_gen_{kind}")
            expected = (
                f"attribute_not_exists({name})" if old is None else f"{name} = {expr.value(old)}"
            )
            switch = {
                "Key": primary_key(META, LIBRARY_SK),
                "UpdateExpression": f"SET {name} = {expr.value(gen)}",
                "ConditionExpression": expected,
            }
            if await self._write_and_bump("Update", expr.apply(switch)):
                self._saw_live(kind, gen)
                return old
            # The pointer moved between our read and our write: look again.
        raise StoreError("library pointer kept changing during a replace")

    async def _generation_ids(self, kind: str, gen: int) -> list[int]:
        expr = Expr()
        items = await self._db.query(
            self.table,
            expr.eq(PK, library_partition(kind, gen)),
            expr,
            consistent_read=True,
            projection=(SK,),
        )
        return [int(item[SK]["N"]) for item in items]

    async def _drop_generation(self, kind: str, gen: int, ids: list[int] | None = None) -> None:
        """Delete a generation that is no longer live (or only `ids` of it)."""
        # Best effort: a leftover generation costs storage, never correctness.
        try:
            if ids is None:
                ids = await self._generation_ids(kind, gen)
            partition = library_partition(kind, gen)
            await self._db.batch_write(
                self.table, key_names=(PK, SK), deletes=[primary_key(partition, i) for i in ids]
            )
        except (AwsError, httpx.HTTPError) as exc:
            log.warning("could not delete library generation %s/%d: %s", kind, gen, exc)
