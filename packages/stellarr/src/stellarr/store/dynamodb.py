"""DynamoDB adapter: one table, partition key `media_type` (S), sort key `tmdb_id` (N).

Key layout (pk / sk):
- `movie` | `tv` / TMDB id ............ one MediaRequest (datetimes as UTC ISO strings)
- `LIBRARY#<type>#G<gen>` / TMDB id ... one library title in generation <gen>
- `META` / 0 .......................... `revision` counter, bumped after every change
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

import logging
import math
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Self

import httpx

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsConfigError, AwsError, ConditionalCheckFailed
from stellarr.aws.marshal import Expr, Item, to_attr
from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
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

    async def _bump(self) -> None:
        expr = Expr()
        update = f"ADD {expr.name('revision')} {expr.value(1)}"
        await self._db.update_item(self.table, primary_key(META, REVISION_SK), update, expr)

    # requests ------------------------------------------------------------------------
    async def add_request(self, request: MediaRequest) -> None:
        expr = Expr()
        with self._errors("add_request"):
            try:
                await self._db.put_item(
                    self.table,
                    request_item(request, self._next_seq()),
                    condition=f"attribute_not_exists({expr.name(PK)})",
                    expr=expr,
                )
            except ConditionalCheckFailed:
                raise Conflict(
                    f"{request.media_type}/{request.tmdb_id} already requested"
                ) from None
            await self._bump()

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None:
        with self._errors("get_request"):
            item = await self._db.get_item(
                self.table, primary_key(media_type.value, tmdb_id), consistent_read=True
            )
        return to_request(item) if item else None

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        with self._errors("delete_request"):
            old = await self._db.delete_item(
                self.table, primary_key(media_type.value, tmdb_id), return_old=True
            )
            if old:
                await self._bump()
        return bool(old)

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        expr = Expr()
        update = expr.set_clause({"status": RequestStatus.ADDED.value, "added_at": iso(when)})
        with self._errors("mark_added"):
            try:
                await self._db.update_item(
                    self.table,
                    primary_key(media_type.value, tmdb_id),
                    update,
                    expr,
                    condition=f"attribute_exists({expr.name(PK)})",
                )
            except ConditionalCheckFailed:
                return False
            await self._bump()
        return True

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
            await self._bump()
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
        """Point readers at `gen`; returns the generation replaced (gen itself if we lost)."""
        expr = Expr()
        name, new = expr.name(f"library_gen_{kind}"), expr.value(gen)
        try:
            attributes = await self._db.update_item(
                self.table,
                primary_key(META, LIBRARY_SK),
                f"SET {name} = {new}",
                expr,
                condition=f"attribute_not_exists({name}) OR {name} < {new}",
                return_values="UPDATED_OLD",
            )
        except ConditionalCheckFailed:
            return gen
        old = attributes.get(f"library_gen_{kind}")
        return int(old["N"]) if old else None

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
        with self._errors("claim_challenge"):
            try:
                await self._db.put_item(self.table, item, condition=condition, expr=expr)
            except ConditionalCheckFailed:
                return False
        return True
