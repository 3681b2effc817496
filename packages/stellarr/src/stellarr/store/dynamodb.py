"""DynamoDB adapter: one table, partition key `media_type` (S), sort key `tmdb_id` (N).

Key layout (pk / sk):
- `movie` | `tv` / TMDB id ............ one MediaRequest (datetimes as UTC ISO strings)
- `LIBRARY#<type>#G<gen>` / TMDB id ... one library title in generation <gen>
- `META` / 0 .......................... `revision` counter, bumped in the same transaction
                                        as every change
- `META` / 1 .......................... `library_gen_<type>` (live generation) and
                                        `library_next_<type>` (generation allocator)
- `RATELIMIT#<key>` / 0 ............... `count`, `expires_at`, `ttl`
- `CHALLENGE#<challenge>` / 0 ......... `expires_at`, `ttl` (used login challenges)
- `PUSH#<user>` / stable hash of the endpoint (planned: push subscriptions)
- `PLEX_GUID#<guid>` / 0 .............. (planned: Plex GUID -> TMDB id cache)

`ttl` is whole epoch seconds for DynamoDB's lazy expiry; reads compare the exact float
`expires_at` with `now` because expired items can linger for days before deletion.

A library replace writes a complete new generation, then moves the pointer in one
conditional write, then deletes the old generation. Readers re-check the pointer after
reading a generation, so they never return a half-deleted set.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Self

import httpx

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import (
    AwsConfigError,
    AwsError,
    ConditionalCheckFailed,
    TransactionCanceled,
)
from stellarr.aws.marshal import Expr, Item, to_attr
from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.retry import RetryPolicy
from stellarr.store.dynamodb_codec import (
    LIBRARY_SK,
    META,
    PK,
    REVISION_SK,
    SK,
    TTL,
    iso,
    library_partition,
    primary_key,
    request_item,
    request_order,
    to_request,
)

log = logging.getLogger(__name__)

LIBRARY_READ_ATTEMPTS = 5
TRANSACTION_ATTEMPTS = 8
# Transactions that touch the revision item at the same moment cancel each other.
CONFLICT_POLICY = RetryPolicy(attempts=TRANSACTION_ATTEMPTS, base_delay=0.02, max_delay=0.5)
RECORD_FAILURE_ATTEMPTS = 10


class DynamoDBStore:
    def __init__(self, table: str, client: DynamoDBClient, *, create_table: bool = False) -> None:
        self.table = table
        self._db = client
        self._create_table = create_table
        self._last_seq = 0

    @classmethod
    def from_env(
        cls,
        table: str,
        environ: Mapping[str, str] | None = None,
        *,
        create_table: bool | None = None,
    ) -> Self:
        """Client from the AWS_* variables; creates the table only when asked or when
        DYNAMODB_ENDPOINT_URL points at a local emulator."""
        env = os.environ if environ is None else environ
        try:
            client = DynamoDBClient.from_env(env)
        except AwsConfigError as exc:
            raise StoreError(str(exc)) from None
        if create_table is None:
            create_table = bool(env.get("DYNAMODB_ENDPOINT_URL"))
        return cls(table, client, create_table=create_table)

    def _next_seq(self) -> int:
        self._last_seq = max(time.time_ns(), self._last_seq + 1)
        return self._last_seq

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except AwsError as exc:
            raise StoreError(f"DynamoDB {action} failed: {exc}") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"DynamoDB {action} failed: {type(exc).__name__}") from exc

    async def open(self) -> None:
        # Deployed tables come from infrastructure code; creating one is for local runs.
        if self._create_table:
            with self._errors("ensure_table"):
                await self._db.ensure_table(
                    self.table, partition_key=(PK, "S"), sort_key=(SK, "N"), ttl_attribute=TTL
                )

    async def close(self) -> None:
        await self._db.aclose()

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
        new data under an old revision. False when the change's own condition failed.

        The client token makes a retry after a lost response a no-op, not a second write
        that would fail its condition and report a false 409 or 404."""
        body = {"TableName": self.table, **action}
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                await self._db.transact_write(
                    [{kind: body}, self._bump_action()], client_token=uuid.uuid4().hex
                )
                return True
            except TransactionCanceled as exc:
                first = exc.reasons[0].code if exc.reasons else ""
                if first == "ConditionalCheckFailed":
                    return False
                if not any(r.code == "TransactionConflict" for r in exc.reasons):
                    raise
                # Another writer bumped the revision at the same moment: nothing was
                # applied, so go again.
                delay = CONFLICT_POLICY.delay(attempt)
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        return False  # unreachable: the policy gives up by raising above

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
        change = {
            "Key": primary_key(media_type.value, tmdb_id),
            "UpdateExpression": update,
            "ConditionExpression": f"attribute_exists({expr.name(PK)})",
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
            partition = library_partition(kind, gen)
            await self._db.batch_write(
                self.table, key_names=(PK, SK), puts=[primary_key(partition, i) for i in ids]
            )
            old = await self._switch_generation(kind, gen)
            if old == gen:  # a replace that started later already won
                await self._drop_generation(kind, gen)
                return
        if old is not None:
            await self._drop_generation(kind, old)

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
        return int(item[attribute]["N"]) if item and attribute in item else None

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

    async def _drop_generation(self, kind: str, gen: int) -> None:
        # Best effort: a leftover generation costs storage, never correctness.
        try:
            ids = await self._generation_ids(kind, gen)
            partition = library_partition(kind, gen)
            await self._db.batch_write(
                self.table, key_names=(PK, SK), deletes=[primary_key(partition, i) for i in ids]
            )
        except (AwsError, httpx.HTTPError) as exc:
            log.warning("could not delete library generation %s/%d: %s", kind, gen, exc)

    # login protection ----------------------------------------------------------------
    async def failure_count(self, key: str, now: float) -> int:
        with self._errors("failure_count"):
            item = await self._db.get_item(
                self.table, primary_key(f"RATELIMIT#{key}", 0), consistent_read=True
            )
        if not item or float(item["expires_at"]["N"]) <= now:
            return 0
        return int(item["count"]["N"])

    async def record_failure(self, key: str, now: float, window_seconds: int) -> int:
        expires = now + window_seconds
        item_key = primary_key(f"RATELIMIT#{key}", 0)
        with self._errors("record_failure"):
            for _ in range(RECORD_FAILURE_ATTEMPTS):
                expr = Expr()
                count, exp, ttl = expr.name("count"), expr.name("expires_at"), expr.name(TTL)
                new_exp, new_ttl = expr.value(expires), expr.value(math.ceil(expires))
                try:
                    attributes = await self._db.update_item(
                        self.table,
                        item_key,
                        f"ADD {count} {expr.value(1)} SET {exp} = if_not_exists({exp}, "
                        f"{new_exp}), {ttl} = if_not_exists({ttl}, {new_ttl})",
                        expr,
                        condition=f"attribute_not_exists({exp}) OR {exp} > {expr.value(now)}",
                        return_values="UPDATED_NEW",
                    )
                    return int(attributes["count"]["N"])
                except ConditionalCheckFailed:
                    pass  # the window expired: start a new one, unless someone just did
                expr = Expr()
                exp = expr.name("expires_at")
                update = expr.set_clause(
                    {"count": 1, "expires_at": expires, TTL: math.ceil(expires)}
                )
                try:
                    await self._db.update_item(
                        self.table,
                        item_key,
                        update,
                        expr,
                        condition=f"{exp} <= {expr.value(now)}",
                    )
                    return 1
                except ConditionalCheckFailed:
                    continue
        raise StoreError("rate-limit counter kept changing under contention")

    async def clear_failures(self, key: str) -> None:
        with self._errors("clear_failures"):
            await self._db.delete_item(self.table, primary_key(f"RATELIMIT#{key}", 0))

    async def claim_challenge(self, challenge: str, expires_at: float, now: float) -> bool:
        item = primary_key(f"CHALLENGE#{challenge}", 0)
        item["expires_at"] = to_attr(expires_at)
        item[TTL] = to_attr(math.ceil(expires_at))
        expr = Expr()
        exp = expr.name("expires_at")
        condition = f"attribute_not_exists({expr.name(PK)}) OR {exp} <= {expr.value(now)}"
        put = expr.apply({"TableName": self.table, "Item": item, "ConditionExpression": condition})
        with self._errors("claim_challenge"):
            try:
                # A transaction only for its client token: a retry after a lost response
                # must not turn a good login into a "replay".
                await self._db.transact_write([{"Put": put}], client_token=uuid.uuid4().hex)
            except TransactionCanceled as exc:
                if exc.conditional_check_failed:
                    return False
                raise
        return True
