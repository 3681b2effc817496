"""Which title a library item is, in TMDB/TVDB/IMDb ids, at the level requests are made.

A movie or show carries its own ids. A season or episode carries *its own* ids (Plex's
`Metadata.Guid[]` on an episode names the episode), so its show is resolved, in order:
the ids the payload gives for the show, when they include TMDB's; the Plex GUID cache (the
show's `plex://show/...` GUID → the ids found the last time); TMDB `/find` of the
episode's TVDB or IMDb id (`show_id` of the episode or season result); TheTVDB's
`/episodes/{id}` → `seriesId`, when TVDB_API_KEY is set; and last whatever partial show ids
the payload gives (a legacy agent GUID that names the series).

Only keys that carry no ids are cached: Plex's new-agent GUIDs (`plex://show/...`, which name
their kind) and Jellyfin's and Emby's per-server item keys (`jellyfin://<server>/<item>`). A
legacy agent GUID (`com.plexapp.agents.themoviedb://603`) is its ids already, and may name a
movie and a show alike.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stellarr.domain.errors import LOOKUP_ERRORS
from stellarr.domain.library_events import ItemKind, LibraryItem
from stellarr.domain.media_ids import MediaIds
from stellarr.store.ports import ExpiringKeys

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient
    from stellarr.clients.tvdb import TVDBClient

log = logging.getLogger(__name__)

GUID_TTL_SECONDS = 30 * 24 * 3600
GUID_NAMESPACE = "PLEX_GUID#"
# Longer GUIDs are hashed, so a key stays well inside every adapter's key limit.
MAX_GUID_IN_KEY = 200
CACHEABLE = ("plex://", "jellyfin://", "emby://")


@dataclass(frozen=True, slots=True)
class Identity:
    """The ids of the title a request would name (the show, for a season or episode), and
    how they were found: payload, plex_guid, tmdb_find, tvdb, legacy_guid or none."""

    ids: MediaIds
    via: str
    # The GUID to remember these ids under once they are complete.
    guid: str | None = None


def guid_key(guid: str) -> str:
    if len(guid) > MAX_GUID_IN_KEY:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return GUID_NAMESPACE + guid


class ShowResolver:
    def __init__(
        self,
        keys: ExpiringKeys,
        tmdb: TMDBClient,
        tvdb: TVDBClient,
        *,
        clock: Callable[[], float] = time.time,
        ttl: float = GUID_TTL_SECONDS,
    ) -> None:
        self._keys = keys
        self._tmdb = tmdb
        self._tvdb = tvdb
        self._clock = clock
        self._ttl = ttl

    async def identify(self, item: LibraryItem) -> Identity:
        if item.kind in (ItemKind.MOVIE, ItemKind.SHOW):
            return await self._own(item)
        return await self._show_of(item)

    async def cached(self, guid: str | None) -> MediaIds | None:
        if not guid or not guid.startswith(CACHEABLE):
            return None
        entry = await self._keys.get(guid_key(guid), self._clock())
        if entry is None:
            return None
        try:
            ids = MediaIds.from_json(json.loads(entry.value))
        except (ValueError, TypeError, KeyError):
            log.warning("WEBHOOK: unreadable Plex GUID cache entry; ignoring it")
            return None
        return None if ids.empty else ids

    async def remember(self, guid: str | None, ids: MediaIds) -> None:
        """Cache `ids` for a new-agent GUID (for GUID_TTL_SECONDS); others are ignored."""
        if not guid or not guid.startswith(CACHEABLE) or ids.empty:
            return
        now = self._clock()
        value = json.dumps(ids.to_json(), separators=(",", ":"))
        await self._keys.put(guid_key(guid), value, now + self._ttl, now)

    async def _own(self, item: LibraryItem) -> Identity:
        if item.ids.tmdb is not None:
            return Identity(item.ids, "payload", item.guid)
        cached = await self.cached(item.guid)
        if cached is not None:
            return Identity(item.ids.merged(cached), "plex_guid", None)
        return Identity(item.ids, "payload" if not item.ids.empty else "none", item.guid)

    async def _show_of(self, item: LibraryItem) -> Identity:
        given = item.show_ids
        if given.tmdb is not None:
            return Identity(given, "payload", item.show_guid)
        cached = await self.cached(item.show_guid)
        if cached is not None:
            return Identity(given.merged(cached), "plex_guid", None)
        show = await self._find_show(item)
        if show is not None:
            return Identity(MediaIds(tmdb=show).merged(given), "tmdb_find", item.show_guid)
        if item.kind is ItemKind.EPISODE and item.ids.tvdb is not None:
            series = await self._tvdb_series(item.ids.tvdb)
            if series is not None:
                return Identity(MediaIds(tvdb=series).merged(given), "tvdb", item.show_guid)
        if not given.empty:
            return Identity(given, "legacy_guid", item.show_guid)
        return Identity(MediaIds(), "none", item.show_guid)

    async def _find_show(self, item: LibraryItem) -> int | None:
        """TMDB's show id for the season's or episode's own TVDB or IMDb id."""
        results = "tv_episode_results" if item.kind is ItemKind.EPISODE else "tv_season_results"
        return await self._tmdb.find_first(item.ids, results, "show_id")

    async def _tvdb_series(self, episode_id: int) -> int | None:
        try:
            if not await self._tvdb.configured():
                return None
            return await self._tvdb.episode_series_id(episode_id)
        except LOOKUP_ERRORS as exc:
            log.info("WEBHOOK: TheTVDB episode lookup failed: %s", exc)
            return None
