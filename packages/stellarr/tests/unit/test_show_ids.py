"""The Plex GUID cache of ShowResolver on the in-memory ExpiringKeys: which keys it keeps,
under which store key, for how long."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
from stellarr.clients.tvdb import TVDBClient
from stellarr.domain.media_ids import MediaIds
from stellarr.services.show_ids import GUID_TTL_SECONDS, ShowResolver, guid_key
from stellarr.settings import Settings, StaticSettings
from stellarr.store.ports import check_key
from stellarr_testing.memory_store import MemoryExpiringKeys

IDS = MediaIds(tmdb=66732, tvdb=305288, imdb="tt4574334")


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def resolver() -> AsyncIterator[tuple[ShowResolver, MemoryExpiringKeys, Clock]]:
    provider = StaticSettings(Settings(app_secret_key="s" * 40, preshared_password="pw pw pw pw"))
    # Never called here: the cache alone is under test.
    tmdb = TMDBClient("http://127.0.0.1:9/3", TMDBCredentials(provider))
    tvdb = TVDBClient("http://127.0.0.1:9/v4", provider)
    keys, clock = MemoryExpiringKeys(), Clock()
    yield ShowResolver(keys, tmdb, tvdb, clock=clock), keys, clock
    await tmdb.aclose()
    await tvdb.aclose()


@pytest.mark.parametrize(
    "guid", ["plex://show/5d9c086c46115600200aa2fe", "jellyfin://a1b2/c3d4", "emby://7e1d/4321"]
)
async def test_keys_without_ids_are_remembered_until_they_expire(
    resolver: tuple[ShowResolver, MemoryExpiringKeys, Clock], guid: str
) -> None:
    shows, keys, clock = resolver
    await shows.remember(guid, IDS)
    assert await shows.cached(guid) == IDS
    entry = await keys.get(f"PLEX_GUID#{guid}", clock.now)
    assert entry is not None and entry.expires_at == clock.now + GUID_TTL_SECONDS
    clock.now += GUID_TTL_SECONDS
    assert await shows.cached(guid) is None


@pytest.mark.parametrize(
    "guid",
    ["com.plexapp.agents.themoviedb://603?lang=en", "local://12345", "tmdb://603", "", None],
)
async def test_guids_that_are_ids_or_local_are_not_cached(
    resolver: tuple[ShowResolver, MemoryExpiringKeys, Clock], guid: str | None
) -> None:
    shows, keys, _ = resolver
    await shows.remember(guid, IDS)
    assert await shows.cached(guid) is None
    assert keys._entries == {}


async def test_empty_ids_are_not_cached(
    resolver: tuple[ShowResolver, MemoryExpiringKeys, Clock],
) -> None:
    shows, keys, _ = resolver
    await shows.remember("plex://show/x", MediaIds())
    assert keys._entries == {}


async def test_a_damaged_entry_reads_as_absent(
    resolver: tuple[ShowResolver, MemoryExpiringKeys, Clock],
) -> None:
    shows, keys, clock = resolver
    await keys.put("PLEX_GUID#plex://show/x", "{not json", clock.now + 60, clock.now)
    assert await shows.cached("plex://show/x") is None


def test_a_long_guid_is_hashed_into_a_valid_key() -> None:
    long_guid = "plex://show/" + "x" * 5000
    key = guid_key(long_guid)
    assert check_key(key) == key and len(key) < 100
    assert key == guid_key(long_guid) != guid_key(long_guid + "y")
    assert guid_key("plex://show/abc") == "PLEX_GUID#plex://show/abc"
