"""The ExpiringKeys contract: values, counters, expiry and atomicity."""

from __future__ import annotations

import asyncio

import pytest

from stellarr.store.ports import ExpiringKeys


async def test_values_live_until_they_expire(keys: ExpiringKeys) -> None:
    assert await keys.get("PLEX_GUID#plex://movie/5d77", 1000.0) is None
    assert await keys.put("PLEX_GUID#plex://movie/5d77", "603", 2000.0, now=1000.0)
    entry = await keys.get("PLEX_GUID#plex://movie/5d77", 1999.0)
    assert entry is not None
    assert (entry.value, entry.count, entry.expires_at) == ("603", 0, 2000.0)
    assert await keys.get("PLEX_GUID#plex://movie/5d77", 2000.0) is None
    assert await keys.get("PLEX_GUID#other", 1500.0) is None


async def test_put_replaces_unless_told_not_to(keys: ExpiringKeys) -> None:
    assert await keys.put("CHALLENGE#a", "first", 2000.0, now=1000.0)
    assert await keys.put("CHALLENGE#a", "second", 2500.0, now=1100.0)
    entry = await keys.get("CHALLENGE#a", 1200.0)
    assert entry is not None and (entry.value, entry.expires_at) == ("second", 2500.0)
    assert not await keys.put("CHALLENGE#a", "third", 3000.0, now=1200.0, replace=False)
    entry = await keys.get("CHALLENGE#a", 1200.0)
    assert entry is not None and entry.value == "second"


async def test_claims_are_single_use_until_they_expire(keys: ExpiringKeys) -> None:
    claim = "CHALLENGE#1703001234:abc"
    assert await keys.put(claim, "", expires_at=2000.0, now=1000.0, replace=False)
    assert not await keys.put(claim, "", expires_at=2000.0, now=1500.0, replace=False)
    assert await keys.put("CHALLENGE#1703001234:def", "", 2000.0, now=1500.0, replace=False)
    assert await keys.put(claim, "", expires_at=3000.0, now=2000.5, replace=False)


async def test_concurrent_claims_have_one_winner(keys: ExpiringKeys) -> None:
    results = await asyncio.gather(
        *(keys.put("CHALLENGE#c", "", 500.0, now=100.0, replace=False) for _ in range(6))
    )
    assert results.count(True) == 1


async def test_a_counter_window_starts_at_the_first_add_and_stays_fixed(
    keys: ExpiringKeys,
) -> None:
    key = "RATELIMIT#login:198.51.100.7"
    assert await keys.add(key, 1, 1900.0, now=1000.0) == 1
    # A later add proposes a later expiry; the live window keeps its own.
    assert await keys.add(key, 1, 2000.0, now=1100.0) == 2
    entry = await keys.get(key, 1899.0)
    assert entry is not None and (entry.count, entry.expires_at) == (2, 1900.0)
    assert await keys.get("RATELIMIT#login:other", 1100.0) is None
    assert await keys.get(key, 1900.5) is None
    assert await keys.add(key, 1, 2801.0, now=1901.0) == 1


async def test_counters_go_down_as_well_as_up(keys: ExpiringKeys) -> None:
    key = "RATELIMIT#login:203.0.113.9"
    assert await keys.add(key, 3, 900.0, now=0.0) == 3
    assert await keys.add(key, -1, 900.0, now=1.0) == 2


async def test_concurrent_adds_are_all_counted(keys: ExpiringKeys) -> None:
    key = "RATELIMIT#login:203.0.113.1"
    counts = await asyncio.gather(*(keys.add(key, 1, 950.0, now=50.0) for _ in range(10)))
    assert sorted(counts) == list(range(1, 11))
    entry = await keys.get(key, 51.0)
    assert entry is not None and entry.count == 10


@pytest.mark.parametrize(
    "key",
    [
        "movie",
        "tv#1",
        "META#x",
        "LIBRARY#movie#G1",
        "PUSH#alice",
        "PUSHENDPOINT#ab12",
        "lower#x",
        "RATELIMIT#",
        "#x",
    ],
)
async def test_keys_must_be_namespaced_outside_the_store_partitions(
    keys: ExpiringKeys, key: str
) -> None:
    with pytest.raises(ValueError):
        await keys.get(key, 0.0)
