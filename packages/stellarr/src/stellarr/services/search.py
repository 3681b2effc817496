"""TMDB search, flagged with what is already requested or in the library."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal

from stellarr.domain.errors import StellarrError
from stellarr.domain.models import MediaType
from stellarr.domain.tmdb_fields import listing
from stellarr.services.snapshot import SnapshotCache

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient

SEASON_LOOKUPS_AT_ONCE = 8


class SearchService:
    def __init__(self, tmdb: TMDBClient, snapshots: SnapshotCache) -> None:
        self._tmdb = tmdb
        self._snapshots = snapshots
        self._season_gate = asyncio.Semaphore(SEASON_LOOKUPS_AT_ONCE)

    async def _seasons(self, tmdb_id: int) -> int | None:
        # Shares the 12 h details cache with requests, so each show costs one call a period.
        async with self._season_gate:
            try:
                details = await self._tmdb.details("tv", tmdb_id)
            except StellarrError:
                return None  # a missing season count must not fail the whole search
        value = details.get("number_of_seasons")
        return value if isinstance(value, int) else None

    async def search(
        self, query: str, media_type: MediaType | None, page: int, language: str | None
    ) -> dict[str, Any]:
        kind: Literal["movie", "tv", "multi"] = media_type.value if media_type else "multi"
        raw = await self._tmdb.search(kind, query, page, language)
        snapshot = await self._snapshots.current()
        items: list[tuple[MediaType, dict[str, Any]]] = []
        for item in raw.get("results") or []:
            entry = listing(item, kind)
            if entry is not None:
                items.append((MediaType(entry["media_type"]), entry))
        seasons = await asyncio.gather(
            *(self._seasons(item["id"]) for t, item in items if t is MediaType.TV)
        )
        season_counts = iter(seasons)
        results = []
        for item_type, entry in items:
            key = (item_type, entry["id"])
            results.append(
                {
                    **entry,
                    "requested": key in snapshot.requested,
                    "in_library": key in snapshot.in_library,
                    "number_of_seasons": next(season_counts) if item_type is MediaType.TV else None,
                }
            )
        return {
            "results": results,
            "page": raw.get("page", page),
            "total_pages": raw.get("total_pages", 0),
            "total_results": raw.get("total_results", 0),
        }
