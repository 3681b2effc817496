"""The MediaStore contract: requests, library and revision."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stellarr.domain.errors import Conflict
from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus
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
        monitor=Monitor.LATEST,
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


async def test_a_replace_that_changes_a_few_titles_keeps_the_rest(store: Store) -> None:
    await store.replace_library(MediaType.MOVIE, range(1, 101))
    before = await store.revision()
    await store.replace_library(MediaType.MOVIE, [500, *range(2, 101)])
    assert await store.library_ids(MediaType.MOVIE) == [*range(2, 101), 500]
    assert await store.revision() > before
    await store.replace_library(MediaType.MOVIE, [*reversed(range(2, 101)), 500, 500])
    assert await store.library_ids(MediaType.MOVIE) == [*range(2, 101), 500]
    await store.replace_library(MediaType.MOVIE, [7, 3])
    assert await store.library_ids(MediaType.MOVIE) == [3, 7]


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


async def test_mark_added_changes_a_pending_request_once(store: Store) -> None:
    await store.add_request(make(MediaType.TV, 5))
    first, later = T0 + timedelta(days=1), T0 + timedelta(days=2)
    assert await store.mark_added(MediaType.TV, 5, first) is True
    revision = await store.revision()
    assert await store.mark_added(MediaType.TV, 5, later) is False
    assert await store.revision() == revision
    again = await store.get_request(MediaType.TV, 5)
    assert again is not None
    assert (again.status, again.added_at) == (RequestStatus.ADDED, first)
    assert await store.mark_added(MediaType.MOVIE, 5, later) is False
    assert await store.get_request(MediaType.MOVIE, 5) is None
    assert await store.revision() == revision


async def test_a_pending_requests_season_choice_changes_and_only_then(store: Store) -> None:
    await store.add_request(make(MediaType.TV, 40))
    assert (await store.get_request(MediaType.TV, 40)).monitor is Monitor.ALL  # type: ignore[union-attr]
    revision = await store.revision()
    assert await store.set_monitor(MediaType.TV, 40, Monitor.FIRST) is True
    assert await store.revision() > revision
    changed = await store.get_request(MediaType.TV, 40)
    assert changed is not None and changed.monitor is Monitor.FIRST
    assert [r.monitor for r in await store.list_requests(MediaType.TV)] == [Monitor.FIRST]
    revision = await store.revision()
    assert await store.set_monitor(MediaType.TV, 40, Monitor.FIRST) is True  # already so
    assert await store.revision() == revision
    assert await store.set_monitor(MediaType.TV, 40, Monitor.ALL) is True
    assert (await store.get_request(MediaType.TV, 40)).monitor is Monitor.ALL  # type: ignore[union-attr]
    # Added, or never requested: nothing changes.
    await store.mark_added(MediaType.TV, 40, T0)
    revision = await store.revision()
    assert await store.set_monitor(MediaType.TV, 40, Monitor.FUTURE) is False
    assert await store.set_monitor(MediaType.TV, 41, Monitor.FUTURE) is False
    assert (await store.get_request(MediaType.TV, 40)).monitor is Monitor.ALL  # type: ignore[union-attr]
    assert await store.get_request(MediaType.TV, 41) is None
    assert await store.revision() == revision


async def test_concurrent_mark_added_tells_exactly_one_caller(store: Store) -> None:
    await store.add_request(make(MediaType.MOVIE, 11))
    times = [T0 + timedelta(hours=i) for i in range(8)]
    results = await asyncio.gather(*(store.mark_added(MediaType.MOVIE, 11, t) for t in times))
    assert results.count(True) == 1
    stored = await store.get_request(MediaType.MOVIE, 11)
    assert stored is not None and stored.status is RequestStatus.ADDED
    assert stored.added_at == times[results.index(True)]


async def test_mark_added_racing_a_delete_never_resurrects_the_request(store: Store) -> None:
    ids = range(20, 30)
    for i in ids:
        await store.add_request(make(MediaType.MOVIE, i))
    marks: list[asyncio.Task[bool]] = []
    deletes: list[asyncio.Task[bool]] = []
    for i in ids:  # alternate which call is issued first, so both orders get their chance
        mark = store.mark_added(MediaType.MOVIE, i, T0)
        delete = store.delete_request(MediaType.MOVIE, i)
        if i % 2:
            marks.append(asyncio.create_task(mark))
            deletes.append(asyncio.create_task(delete))
        else:
            deletes.append(asyncio.create_task(delete))
            marks.append(asyncio.create_task(mark))
    await asyncio.gather(*marks, *deletes)
    # The delete always finds the request (marking never removes it), and a mark that
    # lands after it must not bring the request back.
    assert all(d.result() for d in deletes)
    assert await store.list_requests() == []


async def test_add_to_library_keeps_what_is_there_and_collapses_duplicates(store: Store) -> None:
    await store.replace_library(MediaType.MOVIE, [5, 1])
    await store.replace_library(MediaType.TV, [7])
    before = await store.revision()
    await store.add_to_library(MediaType.MOVIE, [3, 5, 3, 9])
    assert await store.library_ids(MediaType.MOVIE) == [1, 3, 5, 9]
    assert await store.library_ids(MediaType.TV) == [7]
    assert await store.revision() > before
    after = await store.revision()
    await store.add_to_library(MediaType.MOVIE, [9])
    assert await store.library_ids(MediaType.MOVIE) == [1, 3, 5, 9]
    # Nothing changed, so every cached feed and ETag stays valid.
    assert await store.revision() == after


async def test_add_to_library_starts_an_empty_library(store: Store) -> None:
    before = await store.revision()
    await store.add_to_library(MediaType.TV, [42])
    assert await store.library_ids(MediaType.TV) == [42]
    assert await store.library_ids(MediaType.MOVIE) == []
    assert await store.revision() > before
    many = range(1000, 3500)
    await store.add_to_library(MediaType.TV, many)
    assert await store.library_ids(MediaType.TV) == [42, *many]


async def test_concurrent_adds_to_the_library_all_land(store: Store) -> None:
    await asyncio.gather(*(store.add_to_library(MediaType.MOVIE, [i, i + 100]) for i in range(8)))
    expected = sorted([*range(8), *range(100, 108)])
    assert await store.library_ids(MediaType.MOVIE) == expected


async def test_add_racing_a_replace_lands_before_or_after_it(store: Store) -> None:
    old = set(range(1, 200))
    for round_ in range(4):
        # A small add against a big replace and a big add against a small one, so that
        # each sometimes finishes while the other is still writing.
        big = round_ % 2 == 1
        new = set(range(150, 160)) if big else set(range(150, 1500))
        added = set(range(10_000, 12_000)) if big else {10_000}
        await store.replace_library(MediaType.MOVIE, old)
        finished: list[str] = []
        seen: list[set[int]] = []

        async def replace(new: set[int] = new) -> None:
            await store.replace_library(MediaType.MOVIE, new)
            finished.append("replace")

        async def add(added: set[int] = added) -> None:
            await store.add_to_library(MediaType.MOVIE, added)
            finished.append("add")

        async def read() -> None:
            while len(finished) < 2:
                seen.append(set(await store.library_ids(MediaType.MOVIE)))
                await asyncio.sleep(0)  # an in-memory read never yields on its own

        calls = [replace(), add()] if round_ < 2 else [add(), replace()]
        await asyncio.gather(*calls, read())
        final = set(await store.library_ids(MediaType.MOVIE))
        # The add lands before the replace (and is replaced away) or after it, never in a
        # generation nobody reads; one still running when the replace has returned lands
        # after it.
        assert final in (new, new | added)
        if finished == ["replace", "add"]:
            assert added <= final, "an add that returned after the replace was lost"
        # A replace is atomic for readers; a large add may show up a part at a time.
        assert all(ids - added in (old, new) for ids in seen), "a reader saw a partial replace"


async def test_a_reader_sees_the_old_library_or_the_new_one(store: Store) -> None:
    # A big change, a disjoint set, then a few titles in and out of a large one.
    sets = [
        set(range(0, 2000)),
        set(range(1500, 3500)),
        set(range(5000, 8000, 2)),
        set(range(5000, 8000, 2)) - {5000, 6000} | {9001, 9003},
    ]
    await store.replace_library(MediaType.TV, sets[0])
    seen: list[list[int]] = []
    for new in sets[1:]:
        done = False

        async def read() -> None:
            while True:
                seen.append(await store.library_ids(MediaType.TV))
                if done:
                    return
                await asyncio.sleep(0)  # an in-memory read never yields on its own

        reader = asyncio.create_task(read())
        await store.replace_library(MediaType.TV, new)
        done = True
        await reader
    allowed = [sorted(s) for s in sets]
    assert seen and all(ids in allowed for ids in seen), "a reader saw an empty or partial set"
    assert await store.library_ids(MediaType.TV) == allowed[-1]


async def test_a_title_added_after_a_replace_started_is_kept_by_it(store: Store) -> None:
    """A sync starts its replace before it reads its body, so a title a webhook adds
    meanwhile is newer than the sync's list and stays; one added before the start goes."""
    await store.replace_library(MediaType.MOVIE, [1, 2, 3])
    await store.add_to_library(MediaType.MOVIE, [4])  # before the start: replaced away
    started = await store.start_library_replace(MediaType.MOVIE)
    await store.add_to_library(MediaType.MOVIE, [5])  # new
    await store.add_to_library(MediaType.MOVIE, [3])  # already there, and not in the list
    await store.add_to_library(MediaType.TV, [6])  # another library: untouched by the replace
    before = await store.revision()
    await store.replace_library(MediaType.MOVIE, [1, 7], started)
    assert await store.library_ids(MediaType.MOVIE) == [1, 3, 5, 7]
    assert await store.library_ids(MediaType.TV) == [6]
    assert await store.revision() > before
    # The next replace starts afresh: those titles were added before it.
    await store.replace_library(MediaType.MOVIE, [1])
    assert await store.library_ids(MediaType.MOVIE) == [1]


async def test_of_two_started_replaces_the_later_start_wins_with_what_came_after_it(
    store: Store,
) -> None:
    await store.replace_library(MediaType.TV, [1])
    first = await store.start_library_replace(MediaType.TV)
    await store.add_to_library(MediaType.TV, [2])
    second = await store.start_library_replace(MediaType.TV)
    await store.add_to_library(MediaType.TV, [3])
    await store.replace_library(MediaType.TV, [10], second)
    assert await store.library_ids(MediaType.TV) == [3, 10]
    # The earlier one, finishing last, loses to the one started later: nothing changes.
    before = await store.revision()
    await store.replace_library(MediaType.TV, [20], first)
    assert await store.library_ids(MediaType.TV) == [3, 10]
    assert await store.revision() == before


async def test_a_cancelled_replace_changes_nothing(store: Store) -> None:
    await store.replace_library(MediaType.MOVIE, [1, 2])
    started = await store.start_library_replace(MediaType.MOVIE)
    await store.add_to_library(MediaType.MOVIE, [3])
    before = await store.revision()
    await store.cancel_library_replace(MediaType.MOVIE, started)
    assert await store.library_ids(MediaType.MOVIE) == [1, 2, 3]
    assert await store.revision() == before
    await store.add_to_library(MediaType.MOVIE, [4])
    assert await store.library_ids(MediaType.MOVIE) == [1, 2, 3, 4]


async def test_adds_racing_a_started_replace_are_all_kept(store: Store) -> None:
    await store.replace_library(MediaType.MOVIE, range(1, 50))
    started = await store.start_library_replace(MediaType.MOVIE)
    added = [1000 + i for i in range(12)]
    await asyncio.gather(
        store.replace_library(MediaType.MOVIE, range(40, 60), started),
        *(store.add_to_library(MediaType.MOVIE, [tmdb_id]) for tmdb_id in added),
    )
    assert await store.library_ids(MediaType.MOVIE) == [*range(40, 60), *added]
