"""The library on DynamoDB: generations, one live at a time.

Each library (movies, TV) lives in a generation partition, `LIBRARY#<type>#G<gen>`; the
META item at sort key 1 says which generation is live (`library_gen_<type>`), hands out new
generation numbers (`library_next_<type>`), and lists the generations of the replaces that
have started and not yet finished (`library_open_<type>`, a number set), with a count of the
replaces ever started (`library_starts_<type>`).

- A replace takes a new generation and lists it as open, writes it whole, then moves the
  pointer in one conditional write (with the revision bump), then deletes the old generation.
  Readers re-check the pointer after reading a generation, so they never return a
  half-deleted set. Of two replaces, the one started later wins.
- An add writes its titles into the live generation and into every open one, then confirms,
  in one transaction with the revision bump, that the pointer has not moved and no replace
  has started since it looked. So a title added after a replace started is in the set that
  replace installs, and an add never vanishes into a generation nobody reads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from stellarr.aws.errors import AwsError
from stellarr.aws.marshal import Expr
from stellarr.domain.errors import StoreError
from stellarr.store.dynamodb.codec import LIBRARY_SK, META, PK, SK, library_partition, primary_key
from stellarr.store.dynamodb.table import DynamoDBTable

log = logging.getLogger(__name__)

LIBRARY_READ_ATTEMPTS = 5
PRESENCE_CHECK_LIMIT = 8
# The generation an add starts when there is no library yet: below every replace's, so a
# replace started meanwhile still wins, and shared by every add that races to start it.
FIRST_GENERATION = 0

# (kind "Update" | "ConditionCheck" | ..., the action) -> False when its condition failed
WriteAndBump = Callable[[str, dict[str, Any]], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class LibraryState:
    live: int | None
    open: frozenset[int]
    starts: int


class GenerationalLibrary:
    def __init__(self, table: DynamoDBTable, write_and_bump: WriteAndBump) -> None:
        self._db = table.client
        self.table = table.name
        self._write_and_bump = write_and_bump
        # The newest library generation this process has seen live, per media type.
        self._newest_live: dict[str, int] = {}

    async def ids(self, kind: str) -> list[int]:
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

    async def start_replace(self, kind: str) -> int:
        gen = await self._allocate_generation(kind)
        expr = Expr()
        opened = expr.name(f"library_open_{kind}")
        starts = expr.name(f"library_starts_{kind}")
        update = f"ADD {opened} {expr.value(frozenset({gen}))}, {starts} {expr.value(1)}"
        await self._db.update_item(self.table, primary_key(META, LIBRARY_SK), update, expr)
        return gen

    async def replace(self, kind: str, ids: list[int], started: int | None) -> None:
        gen = started if started is not None else await self.start_replace(kind)
        await self._put_ids(kind, gen, ids)
        old = await self._switch_generation(kind, gen)
        if old == gen:  # a replace that started later already won
            await self.cancel_replace(kind, gen)
        elif old is not None:
            await self._drop_generation(kind, old)

    async def cancel_replace(self, kind: str, started: int) -> None:
        expr = Expr()
        update = f"DELETE {expr.name(f'library_open_{kind}')} {expr.value(frozenset({started}))}"
        await self._db.update_item(self.table, primary_key(META, LIBRARY_SK), update, expr)
        # Never the live one: a switch whose answer was lost may have made it live.
        if await self._live_generation(kind) != started:
            await self._drop_generation(kind, started)

    async def add(self, kind: str, ids: list[int]) -> None:
        """Write, then confirm; a confirmation refused (the pointer moved, or a replace
        started) writes again where the library is now."""
        refused = False
        for _ in range(LIBRARY_READ_ATTEMPTS):
            state = await self._state(kind)
            gens = [FIRST_GENERATION if state.live is None else state.live, *state.open]
            # After a refused confirmation our own writes may be what is present, with no
            # revision bump since: write and confirm again rather than trust presence.
            if state.live is not None and not refused and await self._all_present(gens, kind, ids):
                # Nothing to write, so no revision bump: an episode webhook for a show
                # already in the library must not invalidate every cached feed.
                return
            for gen in gens:
                await self._put_ids(kind, gen, ids)
            if not await self._confirm(kind, state, gens[0]):
                refused = True
                now = await self._live_generation(kind)
                if now is not None and now != gens[0]:
                    # Retired meanwhile (generations only move up): nobody reads it again.
                    await self._drop_generation(kind, gens[0], ids)
                continue
            self._saw_live(kind, gens[0])
            # A replace in this process that switched after our confirmation has returned
            # before us: land after it, as its caller would expect.
            if self._newest_live.get(kind, 0) <= gens[0]:
                return
            await self._drop_generation(kind, gens[0], ids)
            refused = True
        raise StoreError("library pointer kept changing during an add")

    async def _confirm(self, kind: str, state: LibraryState, gen: int) -> bool:
        """In one transaction with the revision bump: the pointer is where it was (or, for
        the first generation, now points there) and no replace has started since."""
        expr = Expr()
        live = expr.name(f"library_gen_{kind}")
        starts = expr.name(f"library_starts_{kind}")
        unchanged = (
            f"{starts} = {expr.value(state.starts)}"
            if state.starts
            else f"attribute_not_exists({starts})"
        )
        key = primary_key(META, LIBRARY_SK)
        if state.live is None:
            start = {
                "Key": key,
                "UpdateExpression": f"SET {live} = {expr.value(gen)}",
                "ConditionExpression": f"attribute_not_exists({live}) AND {unchanged}",
            }
            return await self._write_and_bump("Update", expr.apply(start))
        check = {
            "Key": key,
            "ConditionExpression": f"{live} = {expr.value(gen)} AND {unchanged}",
        }
        return await self._write_and_bump("ConditionCheck", expr.apply(check))

    async def _all_present(self, gens: list[int], kind: str, ids: Iterable[int]) -> bool:
        """Whether the live generation and every open one already hold every id: a read per
        id and generation, so only for the few titles a webhook adds; a bulk add writes."""
        ids = list(ids)
        if len(ids) > PRESENCE_CHECK_LIMIT or self._newest_live.get(kind, 0) > gens[0]:
            return False
        for gen in gens:
            partition = library_partition(kind, gen)
            for tmdb_id in ids:
                item = await self._db.get_item(
                    self.table,
                    primary_key(partition, tmdb_id),
                    consistent_read=True,
                    projection=(SK,),
                )
                if not item:
                    return False
        return True

    async def _put_ids(self, kind: str, gen: int, ids: Iterable[int]) -> None:
        partition = library_partition(kind, gen)
        await self._db.batch_write(
            self.table, key_names=(PK, SK), puts=[primary_key(partition, i) for i in ids]
        )

    def _saw_live(self, kind: str, gen: int) -> None:
        self._newest_live[kind] = max(gen, self._newest_live.get(kind, 0))

    async def _state(self, kind: str) -> LibraryState:
        names = (f"library_gen_{kind}", f"library_open_{kind}", f"library_starts_{kind}")
        item = await self._db.get_item(
            self.table, primary_key(META, LIBRARY_SK), consistent_read=True, projection=names
        )
        item = item or {}
        live = int(item[names[0]]["N"]) if names[0] in item else None
        opened = frozenset(int(n) for n in item.get(names[1], {}).get("NS", ()))
        starts = int(item[names[2]]["N"]) if names[2] in item else 0
        if live is not None:
            self._saw_live(kind, live)
        return LibraryState(live, opened, starts)

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
        """Point readers at `gen`, close it (and any older open one, which would lose to it
        anyway) and bump the revision in one transaction; returns the generation replaced
        (gen itself when a replace started later already won)."""
        for _ in range(LIBRARY_READ_ATTEMPTS):
            state = await self._state(kind)
            old = state.live
            if old is not None and old >= gen:
                return gen
            expr = Expr()
            name = expr.name(f"library_gen_{kind}")
            expected = (
                f"attribute_not_exists({name})" if old is None else f"{name} = {expr.value(old)}"
            )
            update = f"SET {name} = {expr.value(gen)}"
            closing = frozenset(g for g in state.open if g <= gen)
            if closing:
                update += f" DELETE {expr.name(f'library_open_{kind}')} {expr.value(closing)}"
            switch = {
                "Key": primary_key(META, LIBRARY_SK),
                "UpdateExpression": update,
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
