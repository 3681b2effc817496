"""The title page: TMDB's details in the UI's language, with Stellarr's request and library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellarr.domain.errors import NotFound
from stellarr.domain.models import MediaType
from stellarr.domain.title_page import Language, TitlePage, title_page
from stellarr.services.snapshot import SnapshotCache

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient


class TitleService:
    def __init__(self, tmdb: TMDBClient, snapshots: SnapshotCache) -> None:
        self._tmdb = tmdb
        self._snapshots = snapshots

    async def page(self, media_type: MediaType, tmdb_id: int, language: Language) -> TitlePage:
        try:
            details = await self._tmdb.title(media_type.value, tmdb_id, language)
        except NotFound:
            what = "movie" if media_type is MediaType.MOVIE else "TV show"
            raise NotFound(f"TMDB has no {what} with id {tmdb_id}") from None
        # The snapshot, not a store read: the same view of requests and library that the
        # search flags and /api/library-status give, at no cost while nothing changes.
        snapshot = await self._snapshots.current()
        key = (media_type, tmdb_id)
        request = next((r for r in snapshot.requests if r.key == key), None)
        return title_page(
            details,
            media_type,
            tmdb_id,
            language,
            request,
            key in snapshot.in_library,
            (snapshot.requested, snapshot.in_library),
        )
