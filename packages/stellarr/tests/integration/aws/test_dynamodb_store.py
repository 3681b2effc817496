"""DynamoDBStore behaviour the shared contract suite cannot see: atomic library swaps,
lingering TTL items, the raw key layout, and error translation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from stellarr.aws.marshal import from_item
from stellarr.domain.errors import Conflict, StoreError
from stellarr.domain.models import MediaRequest, MediaType
from stellarr.store.dynamodb import DynamoDBStore
from stellarr_testing.dynamodb_local import make_dynamodb_client, make_dynamodb_store

pytestmark = pytest.mark.dynamodb


@pytest.fixture
async def store(dynamodb_endpoint: str, table_name: str) -> AsyncIterator[DynamoDBStore]:
    store = await make_dynamodb_store(dynamodb_endpoint, table_name)
    yield store
    await store.close()


async def _raw(store: DynamoDBStore, pk: str, sk: int) -> dict[str, object] | None:
    item = await store._db.get_item(
        store.table, {"media_type": {"S": pk}, "tmdb_id": {"N": str(sk)}}, consistent_read=True
    )
    return from_item(item) if item else None


async def _partitions(store: DynamoDBStore) -> set[str]:
    items = await store._db.scan(store.table, consistent_read=True)
    return {item["media_type"]["S"] for item in items}


async def test_replace_library_is_atomic_for_concurrent_readers(store: DynamoDBStore) -> None:
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
    library = {p for p in await _partitions(store) if p.startswith("LIBRARY#")}
    assert library == {"LIBRARY#movie#G3"}


async def test_a_reader_overtaken_by_a_whole_replace_still_sees_one_set(
    store: DynamoDBStore, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deterministic worst case: the reader has read the pointer, then a complete replace
    # (pointer switch and deletion of the old generation) runs before its query does.
    await store.replace_library(MediaType.MOVIE, range(100))
    writer = await make_dynamodb_store(dynamodb_endpoint, store.table)
    read_generation = store._generation_ids
    overtaken = False

    async def slow_reader(kind: str, gen: int) -> list[int]:
        nonlocal overtaken
        if not overtaken:
            overtaken = True
            await writer.replace_library(MediaType.MOVIE, range(500, 550))
        return await read_generation(kind, gen)

    monkeypatch.setattr(store, "_generation_ids", slow_reader)
    try:
        assert await store.library_ids(MediaType.MOVIE) == list(range(500, 550))
        assert overtaken
    finally:
        await writer.close()


async def test_replace_library_with_duplicates_and_empty_sets(store: DynamoDBStore) -> None:
    await store.replace_library(MediaType.TV, [5, 3, 5, 1, 3])
    assert await store.library_ids(MediaType.TV) == [1, 3, 5]
    await store.replace_library(MediaType.TV, [])
    assert await store.library_ids(MediaType.TV) == []


async def test_a_replace_that_lost_the_race_cleans_up_after_itself(store: DynamoDBStore) -> None:
    await store.replace_library(MediaType.MOVIE, [1, 2])
    # Simulate a newer replace having switched the pointer while ours was writing.
    loser_gen = await store._allocate_generation("movie")
    winner_gen = await store._allocate_generation("movie")
    assert await store._switch_generation("movie", winner_gen) == 1
    assert await store._switch_generation("movie", loser_gen) == loser_gen
    assert await store.library_ids(MediaType.MOVIE) == []  # generation 3 was never written


async def test_expired_rate_limit_items_are_ignored_on_read(store: DynamoDBStore) -> None:
    assert await store.record_failure("1.2.3.4", 1000.0, 60) == 1
    assert await store.record_failure("1.2.3.4", 1010.5, 60) == 2
    raw = await _raw(store, "RATELIMIT#1.2.3.4", 0)
    assert raw is not None
    assert raw["ttl"] == 1060
    assert raw["expires_at"] == 1060
    assert raw["count"] == 2
    assert await store.failure_count("1.2.3.4", 1059.9) == 2
    # DynamoDB deletes TTL items lazily: the item is still there, but no longer counts.
    assert await store.failure_count("1.2.3.4", 1060.0) == 0
    assert await _raw(store, "RATELIMIT#1.2.3.4", 0) is not None
    # The next failure opens a fresh window instead of adding to the stale count.
    assert await store.record_failure("1.2.3.4", 1100.0, 60) == 1
    raw = await _raw(store, "RATELIMIT#1.2.3.4", 0)
    assert raw is not None
    assert raw["ttl"] == 1160
    assert await store.failure_count("1.2.3.4", 1100.0) == 1
    await store.clear_failures("1.2.3.4")
    assert await store.failure_count("1.2.3.4", 1100.0) == 0


async def test_concurrent_failures_are_all_counted(store: DynamoDBStore) -> None:
    counts = await asyncio.gather(*(store.record_failure("k", 500.0, 60) for _ in range(20)))
    assert sorted(counts) == list(range(1, 21))
    assert await store.failure_count("k", 501.0) == 20


async def test_expired_challenges_can_be_claimed_again(store: DynamoDBStore) -> None:
    assert await store.claim_challenge("abc", expires_at=1100.5, now=1000.0) is True
    assert await store.claim_challenge("abc", expires_at=1200.0, now=1050.0) is False
    raw = await _raw(store, "CHALLENGE#abc", 0)
    assert raw is not None
    assert raw["ttl"] == 1101
    # Still stored (TTL deletion is lazy) but past its expiry, so it no longer blocks.
    assert await store.claim_challenge("abc", expires_at=1300.0, now=1100.5) is True
    assert await store.claim_challenge("abc", expires_at=1300.0, now=1200.0) is False
    results = await asyncio.gather(
        *(store.claim_challenge("race", expires_at=2000.0, now=1000.0) for _ in range(10))
    )
    assert results.count(True) == 1


async def test_revision_grows_after_every_change_only(store: DynamoDBStore) -> None:
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


async def test_requests_keep_every_field_and_list_newest_first(store: DynamoDBStore) -> None:
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
    raw = await _raw(store, "tv", 1399)
    assert raw is not None
    assert raw["requested_at"] == "2024-01-01T00:00:00.000000+00:00"
    assert "added_at" not in raw


async def test_aws_errors_become_store_errors(dynamodb_endpoint: str) -> None:
    store = DynamoDBStore("missing-table", make_dynamodb_client(dynamodb_endpoint))
    try:
        with pytest.raises(StoreError, match="ResourceNotFoundException") as info:
            await store.get_request(MediaType.MOVIE, 1)
        assert "test" not in str(info.value).replace("missing-table", "")
        with pytest.raises(StoreError):
            await store.library_ids(MediaType.MOVIE)
    finally:
        await store.close()
