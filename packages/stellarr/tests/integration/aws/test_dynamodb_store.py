"""DynamoDB adapter behaviour the shared contract suites cannot see: atomic library swaps,
lingering TTL items, the raw key layout, and error translation."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from stellarr.aws.marshal import from_item
from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType, Monitor
from stellarr.store.dynamodb.codec import iso
from stellarr.store.dynamodb.keys import DynamoDBExpiringKeys
from stellarr.store.dynamodb.media import DynamoDBMediaStore
from stellarr.store.dynamodb.push import DynamoDBPushSubscriptions
from stellarr.store.dynamodb.table import DynamoDBTable
from stellarr.store.ports import PushSubscription
from stellarr_testing.dynamodb_local import make_dynamodb_client, make_dynamodb_table

pytestmark = pytest.mark.dynamodb


@pytest.fixture
async def table(dynamodb_endpoint: str, table_name: str) -> AsyncIterator[DynamoDBTable]:
    table = make_dynamodb_table(dynamodb_endpoint, table_name)
    await table.open()
    yield table
    await table.close()


@pytest.fixture
def store(table: DynamoDBTable) -> DynamoDBMediaStore:
    return DynamoDBMediaStore(table)


@pytest.fixture
def keys(table: DynamoDBTable) -> DynamoDBExpiringKeys:
    return DynamoDBExpiringKeys(table)


async def _raw(table: DynamoDBTable, pk: str, sk: int) -> dict[str, object] | None:
    item = await table.client.get_item(
        table.name, {"media_type": {"S": pk}, "tmdb_id": {"N": str(sk)}}, consistent_read=True
    )
    return from_item(item) if item else None


async def _live_library_generations(store: DynamoDBMediaStore, kind: str) -> list[int]:
    return [gen for gen in range(1, 6) if await store.library._generation_ids(kind, gen)]


async def test_replace_library_is_atomic_for_concurrent_readers(store: DynamoDBMediaStore) -> None:
    sets = [list(range(0, 3000)), list(range(2000, 5000)), list(range(10_000, 13_000, 3))]
    await store.replace_library(MediaType.MOVIE, sets[0])
    seen: list[list[int]] = []

    async def reader(done: asyncio.Event) -> None:
        while not done.is_set():
            seen.append(await store.library_ids(MediaType.MOVIE))
            await asyncio.sleep(0.01)  # leave DynamoDB Local some CPU for the writer

    for new in sets[1:]:
        done = asyncio.Event()
        task = asyncio.create_task(reader(done))
        await store.replace_library(MediaType.MOVIE, reversed(new))
        done.set()
        await task

    allowed = [sorted(s) for s in sets]
    assert len(seen) >= 4, "the reader must have overlapped the replaces"
    mixed = [ids for ids in seen if ids not in allowed]
    assert not mixed, f"a reader saw a mix of {len(mixed[0])} ids"
    assert await store.library_ids(MediaType.MOVIE) == allowed[-1]
    assert await store.library_ids(MediaType.TV) == []
    # Old generations are gone; only the live one remains.
    assert await _live_library_generations(store, "movie") == [3]


async def test_a_reader_overtaken_by_a_whole_replace_still_sees_one_set(
    store: DynamoDBMediaStore, table: DynamoDBTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deterministic worst case: the reader has read the pointer, then a complete replace
    # (pointer switch and deletion of the old generation) runs before its query does.
    await store.replace_library(MediaType.MOVIE, range(100))
    writer = DynamoDBMediaStore(table)
    read_generation = store.library._generation_ids
    overtaken = False

    async def slow_reader(kind: str, gen: int) -> list[int]:
        nonlocal overtaken
        if not overtaken:
            overtaken = True
            await writer.replace_library(MediaType.MOVIE, range(500, 550))
        return await read_generation(kind, gen)

    monkeypatch.setattr(store.library, "_generation_ids", slow_reader)
    assert await store.library_ids(MediaType.MOVIE) == list(range(500, 550))
    assert overtaken


async def test_replace_library_with_duplicates_and_empty_sets(store: DynamoDBMediaStore) -> None:
    await store.replace_library(MediaType.TV, [5, 3, 5, 1, 3])
    assert await store.library_ids(MediaType.TV) == [1, 3, 5]
    await store.replace_library(MediaType.TV, [])
    assert await store.library_ids(MediaType.TV) == []


async def test_a_replace_that_lost_the_race_cleans_up_after_itself(
    store: DynamoDBMediaStore,
) -> None:
    await store.replace_library(MediaType.MOVIE, [1, 2])
    # Simulate a newer replace having switched the pointer while ours was writing.
    loser_gen = await store.library._allocate_generation("movie")
    winner_gen = await store.library._allocate_generation("movie")
    assert await store.library._switch_generation("movie", winner_gen) == 1
    assert await store.library._switch_generation("movie", loser_gen) == loser_gen
    assert await store.library_ids(MediaType.MOVIE) == []  # generation 3 was never written


async def test_expired_counters_are_ignored_on_read(
    keys: DynamoDBExpiringKeys, table: DynamoDBTable
) -> None:
    key = "RATELIMIT#login:1.2.3.4"
    assert await keys.add(key, 1, 1060.0, now=1000.0) == 1
    assert await keys.add(key, 1, 1070.5, now=1010.5) == 2
    raw = await _raw(table, key, 0)
    assert raw is not None
    assert (raw["ttl"], raw["expires_at"], raw["count"]) == (1060, 1060, 2)
    entry = await keys.get(key, 1059.9)
    assert entry is not None and entry.count == 2
    # DynamoDB deletes TTL items lazily: the item is still there, but no longer counts.
    assert await keys.get(key, 1060.0) is None
    assert await _raw(table, key, 0) is not None
    # The next add opens a fresh window instead of adding to the stale count.
    assert await keys.add(key, 1, 1160.0, now=1100.0) == 1
    raw = await _raw(table, key, 0)
    assert raw is not None and raw["ttl"] == 1160


async def test_concurrent_adds_are_all_counted(keys: DynamoDBExpiringKeys) -> None:
    counts = await asyncio.gather(*(keys.add("RATELIMIT#k", 1, 560.0, 500.0) for _ in range(20)))
    assert sorted(counts) == list(range(1, 21))
    entry = await keys.get("RATELIMIT#k", 501.0)
    assert entry is not None and entry.count == 20


async def test_expired_claims_can_be_made_again(
    keys: DynamoDBExpiringKeys, table: DynamoDBTable
) -> None:
    key = "CHALLENGE#abc"
    assert await keys.put(key, "", 1100.5, now=1000.0, replace=False) is True
    assert await keys.put(key, "", 1200.0, now=1050.0, replace=False) is False
    raw = await _raw(table, key, 0)
    assert raw is not None and raw["ttl"] == 1101
    # Still stored (TTL deletion is lazy) but past its expiry, so it no longer blocks.
    assert await keys.put(key, "", 1300.0, now=1100.5, replace=False) is True
    assert await keys.put(key, "", 1300.0, now=1200.0, replace=False) is False
    results = await asyncio.gather(
        *(keys.put("CHALLENGE#race", "", 2000.0, 1000.0, replace=False) for _ in range(10))
    )
    assert results.count(True) == 1


async def test_revision_grows_after_every_change_only(store: DynamoDBMediaStore) -> None:
    request = MediaRequest(
        media_type=MediaType.MOVIE,
        tmdb_id=603,
        title="The Matrix",
        requested_by="neo",
        requested_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    )
    assert await store.revision() == 0
    await store.add_request(request)
    assert await store.revision() == 1
    with pytest.raises(Conflict):
        await store.add_request(request)
    assert await store.revision() == 1
    assert await store.mark_added(MediaType.MOVIE, 603, datetime(2024, 5, 2, tzinfo=UTC))
    assert not await store.mark_added(MediaType.TV, 603, datetime(2024, 5, 2, tzinfo=UTC))
    assert await store.revision() == 2
    assert await store.delete_request(MediaType.MOVIE, 603)
    assert not await store.delete_request(MediaType.MOVIE, 603)
    assert await store.revision() == 3
    await store.replace_library(MediaType.TV, [1])
    assert await store.revision() == 4


async def test_requests_keep_every_field_and_list_newest_first(
    store: DynamoDBMediaStore, table: DynamoDBTable
) -> None:
    older = MediaRequest(
        media_type=MediaType.TV,
        tmdb_id=1399,
        title="Game of Thrones",
        requested_by="arya",
        requested_at=datetime(2024, 1, 1, tzinfo=UTC),
        year=2011,
        overview="Winter is coming — ünïcödé",
        poster_path="/p.jpg",
        imdb_id="tt0944947",
        tvdb_id=121361,
    )
    newer = MediaRequest(
        media_type=MediaType.MOVIE,
        tmdb_id=27205,
        title="Inception",
        requested_by="cobb",
        requested_at=datetime(2024, 2, 1, tzinfo=UTC),
    )
    await store.add_request(older)
    await store.add_request(newer)
    assert await store.get_request(MediaType.TV, 1399) == older
    assert await store.list_requests() == [newer, older]
    assert await store.list_requests(MediaType.TV) == [older]
    raw = await _raw(table, "tv", 1399)
    assert raw is not None
    assert raw["requested_at"] == "2024-01-01T00:00:00.000000+00:00"
    # Items written before season choices have no `monitor`: whole shows stay that way.
    assert "added_at" not in raw and "monitor" not in raw
    assert await store.set_monitor(MediaType.TV, 1399, Monitor.FUTURE) is True
    chosen = await _raw(table, "tv", 1399)
    assert chosen is not None and chosen["monitor"] == "future"
    assert await store.set_monitor(MediaType.TV, 1399, Monitor.ALL) is True
    whole = await _raw(table, "tv", 1399)
    assert whole is not None and "monitor" not in whole


async def test_aws_errors_become_store_errors(dynamodb_endpoint: str) -> None:
    table = DynamoDBTable(
        "missing-table", make_dynamodb_client(dynamodb_endpoint), owns_client=True
    )
    store = DynamoDBMediaStore(table)
    try:
        with pytest.raises(StoreError, match="ResourceNotFoundException") as info:
            await store.get_request(MediaType.MOVIE, 1)
        assert "test" not in str(info.value).replace("missing-table", "")
        with pytest.raises(StoreError):
            await store.library_ids(MediaType.MOVIE)
    finally:
        await table.close()


async def test_push_items_are_laid_out_as_documented(table: DynamoDBTable) -> None:
    push = DynamoDBPushSubscriptions(table)
    endpoint = "https://fcm.googleapis.com/fcm/send/dev-1"
    created = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    await push.save(PushSubscription("alice", endpoint, "BPkey", "authkey", created))
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    owner = await _raw(table, f"PUSHENDPOINT#{digest}", 0)
    assert owner is not None and owner["user"] == "alice"
    device = await _raw(table, "PUSH#alice", int(digest[:15], 16))
    assert device is not None
    assert (device["endpoint"], device["p256dh"], device["auth"]) == (endpoint, "BPkey", "authkey")
    assert device["created_at"] == "2026-03-01T08:30:00.000000+00:00"
    await push.discard(endpoint)
    assert await _raw(table, f"PUSHENDPOINT#{digest}", 0) is None
    assert await _raw(table, "PUSH#alice", int(digest[:15], 16)) is None


async def test_mark_added_accepts_a_request_stored_without_a_status(
    store: DynamoDBMediaStore, table: DynamoDBTable
) -> None:
    # Items written by earlier Stellarr versions may lack `status`; they read as pending.
    item = {
        "media_type": {"S": "movie"},
        "tmdb_id": {"N": "603"},
        "title": {"S": "The Matrix"},
        "requested_by": {"S": "neo"},
        "requested_at": {"S": "2024-05-01T12:00:00.000000+00:00"},
    }
    await table.client.put_item(table.name, item)
    when = datetime(2024, 5, 2, tzinfo=UTC)
    assert await store.mark_added(MediaType.MOVIE, 603, when) is True
    assert await store.mark_added(MediaType.MOVIE, 603, datetime(2024, 6, 1, tzinfo=UTC)) is False
    raw = await _raw(table, "movie", 603)
    assert raw is not None and (raw["status"], raw["added_at"]) == ("added", iso(when))


async def test_adds_and_replaces_from_two_instances_leave_no_title_in_a_dead_generation(
    table: DynamoDBTable,
) -> None:
    # Two instances (two Lambda containers, say) share only the table.
    adder, replacer = DynamoDBMediaStore(table), DynamoDBMediaStore(table)
    await replacer.replace_library(MediaType.TV, range(1, 100))
    for round_ in range(4):
        new = set(range(50 + round_, 150))
        added = [1000 + round_, 2000 + round_]
        await asyncio.gather(
            replacer.replace_library(MediaType.TV, new),
            adder.add_to_library(MediaType.TV, added),
        )
        final = set(await adder.library_ids(MediaType.TV))
        assert final in (new, new | set(added))
    live = await adder.library._live_generation("tv")
    assert live is not None
    # Every generation but the live one was emptied, including anything an add wrote into
    # a generation that a replace had just retired.
    for gen in range(1, live + 4):
        if gen != live:
            assert await adder.library._generation_ids("tv", gen) == [], f"generation {gen} lingers"
