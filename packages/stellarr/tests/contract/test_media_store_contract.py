"""The MediaStore contract: requests, library and revision."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stellarr.domain.errors import Conflict
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.store.ports import MediaStore as Store

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def make(media: MediaType, tmdb_id: int, minutes: int = 0, **kw: object) -> MediaRequest:
    fields: dict[str, object] = {
        "title": f"Title {tmdb_id} — ünïcode",
        "requested_by": "alice",
        "requested_at": T0 + timedelta(minutes=minutes),
    }
    fields.update(kw)
    return MediaRequest(media_type=media, tmdb_id=tmdb_id, **fields)  # type: ignore[arg-type]


async def test_add_get_round_trips_every_field(store: Store) -> None:
    request = make(
        MediaType.TV,
        66732,
        year=2016,
        overview="Hawkins",
        poster_path="/x.jpg",
        imdb_id="tt4574334",
        tvdb_id=305288,
    )
    await store.add_request(request)
    assert await store.get_request(MediaType.TV, 66732) == request
    assert await store.get_request(MediaType.MOVIE, 66732) is None


async def test_duplicate_add_conflicts(store: Store) -> None:
    await store.add_request(make(MediaType.MOVIE, 1))
    with pytest.raises(Conflict):
        await store.add_request(make(MediaType.MOVIE, 1, requested_by="bob"))
    assert (await store.get_request(MediaType.MOVIE, 1)).requested_by == "alice"  # type: ignore[union-attr]


async def test_concurrent_duplicates_leave_exactly_one(store: Store) -> None:
    results = await asyncio.gather(
        *(store.add_request(make(MediaType.MOVIE, 7, requested_by=f"u{i}")) for i in range(8)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if r is not None)
    assert len(await store.list_requests()) == 1


async def test_list_is_newest_first_and_filters(store: Store) -> None:
    await store.add_request(make(MediaType.MOVIE, 1, minutes=1))
    await store.add_request(make(MediaType.TV, 2, minutes=3))
    await store.add_request(make(MediaType.MOVIE, 3, minutes=2))
    assert [r.tmdb_id for r in await store.list_requests()] == [2, 3, 1]
    assert [r.tmdb_id for r in await store.list_requests(MediaType.MOVIE)] == [3, 1]
    assert [r.tmdb_id for r in await store.list_requests(MediaType.TV)] == [2]


async def test_delete_and_mark_added(store: Store) -> None:
    await store.add_request(make(MediaType.MOVIE, 1))
    when = T0 + timedelta(days=1)
    assert await store.mark_added(MediaType.MOVIE, 1, when)
    updated = await store.get_request(MediaType.MOVIE, 1)
    assert updated is not None and updated.status is RequestStatus.ADDED
    assert updated.added_at == when
    assert not await store.mark_added(MediaType.MOVIE, 99, when)
    assert await store.delete_request(MediaType.MOVIE, 1)
    assert not await store.delete_request(MediaType.MOVIE, 1)
    assert await store.get_request(MediaType.MOVIE, 1) is None


async def test_revision_grows_after_every_change_and_only_then(store: Store) -> None:
    seen = [await store.revision()]

    async def changed() -> None:
        now = await store.revision()
        assert now > seen[-1]
        seen.append(now)

    await store.add_request(make(MediaType.MOVIE, 1))
    await changed()
    await store.mark_added(MediaType.MOVIE, 1, T0)
    await changed()
    await store.replace_library(MediaType.MOVIE, [1, 2])
    await changed()
    await store.delete_request(MediaType.MOVIE, 1)
    await changed()
    await store.get_request(MediaType.MOVIE, 1)
    await store.list_requests()
    await store.delete_request(MediaType.MOVIE, 1)
    assert await store.revision() == seen[-1]


async def test_library_replace_swaps_whole_sets_per_type(store: Store) -> None:
    await store.replace_library(MediaType.MOVIE, [3, 1, 2, 2])
    await store.replace_library(MediaType.TV, [10])
    assert await store.library_ids(MediaType.MOVIE) == [1, 2, 3]
    await store.replace_library(MediaType.MOVIE, [4])
    assert await store.library_ids(MediaType.MOVIE) == [4]
    assert await store.library_ids(MediaType.TV) == [10]
    await store.replace_library(MediaType.TV, [])
    assert await store.library_ids(MediaType.TV) == []


async def test_large_library_round_trips(store: Store) -> None:
    ids = list(range(1, 3001))
    await store.replace_library(MediaType.MOVIE, ids)
    assert await store.library_ids(MediaType.MOVIE) == ids


async def test_concurrent_distinct_writes_all_land_and_each_bumps_the_revision(
    store: Store,
) -> None:
    before = await store.revision()
    await asyncio.gather(
        *(store.add_request(make(MediaType.MOVIE, i, minutes=i)) for i in range(1, 13))
    )
    assert len(await store.list_requests()) == 12
    assert await store.revision() >= before + 12
