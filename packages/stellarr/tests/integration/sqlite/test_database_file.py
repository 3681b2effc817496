"""The SQLite file itself: private on disk, never silently replaced by an empty one."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stellarr.domain.errors import StoreError
from stellarr.domain.models import MediaRequest, MediaType, Monitor
from stellarr.store.ports import PushSubscription
from stellarr.store.sqlite import DatabaseMissing, SQLiteDatabase, marker_path, sqlite_stores
from stellarr.store.sqlite.schema import MIGRATIONS


def request(tmdb_id: int) -> MediaRequest:
    return MediaRequest(
        media_type=MediaType.MOVIE,
        tmdb_id=tmdb_id,
        title="Heat",
        requested_by="alice",
        requested_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def test_a_new_database_is_private_and_remembered(tmp_path: Path) -> None:
    path = tmp_path / "data" / "stellarr.db"
    db = SQLiteDatabase(path)
    await db.open()
    await db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert marker_path(path).is_file()


@pytest.mark.parametrize("loss", ["deleted", "emptied"])
async def test_a_lost_database_refuses_to_open(tmp_path: Path, loss: str) -> None:
    path = tmp_path / "stellarr.db"
    stores = sqlite_stores(path)
    await stores.database.open()
    await stores.media.add_request(request(1))
    await stores.database.close()
    if loss == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"")
    with pytest.raises(DatabaseMissing, match="start-afresh"):
        await SQLiteDatabase(path).open()


@pytest.mark.parametrize("change", ["deleted", "replaced", "truncated"])
async def test_writes_stop_when_the_file_changes_under_a_running_server(
    tmp_path: Path, change: str
) -> None:
    path = tmp_path / "stellarr.db"
    stores = sqlite_stores(path)
    await stores.database.open()
    try:
        await stores.media.add_request(request(1))
        if change == "deleted":
            path.unlink()
        elif change == "replaced":
            path.rename(tmp_path / "moved.db")
            path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        else:
            with path.open("r+b") as handle:
                handle.truncate(0)
        with pytest.raises(StoreError, match="removed or replaced"):
            await stores.media.add_request(request(2))
        if change == "truncated":  # reads through the open connection fail as StoreError
            with pytest.raises(StoreError):
                await stores.media.revision()
        with pytest.raises(StoreError):
            await stores.database.check_writable()
    finally:
        await stores.database.close()


async def test_login_protection_rows_survive_the_move_to_expiring_keys(tmp_path: Path) -> None:
    path = tmp_path / "stellarr.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        conn.execute("INSERT INTO login_failures VALUES ('login:192.0.2.1', 3, 5000.0)")
        conn.execute("INSERT INTO used_challenges VALUES ('1700:abc', 6000.0)")
    stores = sqlite_stores(path)
    await stores.database.open()
    # A database from before the marker existed gets one too, so losing it is refused.
    assert marker_path(path).is_file()
    try:
        failures = await stores.keys.get("RATELIMIT#login:192.0.2.1", 1000.0)
        assert failures is not None and (failures.count, failures.expires_at) == (3, 5000.0)
        assert not await stores.keys.put("CHALLENGE#1700:abc", "", 7000.0, 1000.0, replace=False)
    finally:
        await stores.database.close()


async def test_a_version_3_library_keeps_its_titles_and_a_started_replace_keeps_new_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stellarr.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;")
        conn.execute("INSERT INTO library VALUES ('movie', 603), ('movie', 949), ('tv', 1399)")
    stores = sqlite_stores(path)
    await stores.database.open()
    try:
        media = stores.media
        assert await media.library_ids(MediaType.MOVIE) == [603, 949]
        started = await media.start_library_replace(MediaType.MOVIE)
        await media.add_to_library(MediaType.MOVIE, [949])
        await media.replace_library(MediaType.MOVIE, [1], started)
        assert await media.library_ids(MediaType.MOVIE) == [1, 949]
        assert await media.library_ids(MediaType.TV) == [1399]
    finally:
        await stores.database.close()


async def test_a_version_4_database_keeps_its_shows_whole_and_takes_season_choices(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stellarr.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:4]) + "\nPRAGMA user_version = 4;")
        conn.execute(
            "INSERT INTO requests (media_type, tmdb_id, title, requested_by, requested_at) "
            "VALUES ('tv', 1399, 'Game of Thrones', 'alice', '2026-01-01T00:00:00.000000+00:00')"
        )
    stores = sqlite_stores(path)
    await stores.database.open()
    try:
        before = await stores.media.get_request(MediaType.TV, 1399)
        assert before is not None and before.monitor is Monitor.ALL
        assert await stores.media.set_monitor(MediaType.TV, 1399, Monitor.LATEST) is True
        after = await stores.media.get_request(MediaType.TV, 1399)
        assert after is not None and after.monitor is Monitor.LATEST
    finally:
        await stores.database.close()
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE requests SET monitor = 'pilot'")


async def test_a_version_2_database_gains_push_subscriptions_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stellarr.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
        conn.execute(
            "INSERT INTO requests (media_type, tmdb_id, title, requested_by, requested_at) "
            "VALUES ('movie', 949, 'Heat', 'alice', '2026-01-01T00:00:00.000000+00:00')"
        )
    stores = sqlite_stores(path)
    await stores.database.open()
    try:
        assert await stores.media.get_request(MediaType.MOVIE, 949) == request(949)
        subscription = PushSubscription(
            user="alice",
            endpoint="https://fcm.googleapis.com/fcm/send/abc",
            p256dh="BP",
            auth="au",
            created_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
        assert await stores.push.save(subscription) is True
        assert await stores.push.for_user("alice") == [subscription]
    finally:
        await stores.database.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 5
    # Reopening runs no migration twice (a second CREATE TABLE would fail).
    stores = sqlite_stores(path)
    await stores.database.open()
    try:
        assert len(await stores.push.for_user("alice")) == 1
    finally:
        await stores.database.close()
