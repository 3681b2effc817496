"""TMDB search, flagged with what is already requested or in the library."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal

from stellarr.domain.errors import StellarrError
from stellarr.domain.models import MediaType
from stellarr.domain.tmdb_fields import optional_str, title_of, year_of
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
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                continue
            item_type = item.get("media_type") or kind
            if item_type not in ("movie", "tv"):
                continue  # people and anything new TMDB adds to /search/multi
            items.append((MediaType(item_type), item))
        seasons = await asyncio.gather(
            *(self._seasons(item["id"]) for t, item in items if t is MediaType.TV)
        )
        season_counts = iter(seasons)
        results = []
        for item_type, item in items:
            key = (item_type, item["id"])
            results.append(
                {
                    "id": item["id"],
                    "title": title_of(item),
                    "year": year_of(item),
                    "overview": optional_str(item.get("overview")),
                    "poster_path": optional_str(item.get("poster_path")),
                    "media_type": item_type.value,
                    "vote_average": item.get("vote_average"),
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
