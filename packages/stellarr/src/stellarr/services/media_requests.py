"""Asking for a title, withdrawing a request, listing them."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from stellarr.domain.errors import BadRequest, Conflict, Forbidden, NotFound
from stellarr.domain.models import MediaRequest, MediaType, Monitor, utcnow
from stellarr.domain.tmdb_fields import imdb_id_of, optional_str, title_of, tvdb_id_of, year_of
from stellarr.domain.tokens import Session
from stellarr.services.background import Background
from stellarr.store.ports import MediaStore

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient
    from stellarr.services.notifications import Notifier


class RequestService:
    def __init__(
        self,
        store: MediaStore,
        tmdb: TMDBClient,
        notifier: Notifier | None = None,
        background: Background | None = None,
    ) -> None:
        self._store = store
        self._tmdb = tmdb
        self._notifier = notifier
        self._background = background or Background(detached=False)

    async def add(
        self,
        media_type: MediaType,
        tmdb_id: int,
        session: Session,
        monitor: Monitor = Monitor.ALL,
        choices: Collection[Monitor] = (),
    ) -> MediaRequest:
        """`choices` are the season choices offered (Settings.season_choices)."""
        _check_choice(media_type, monitor, choices)
        if await self._store.get_request(media_type, tmdb_id) is not None:
            raise Conflict("Already requested")
        try:
            details = await self._tmdb.details(media_type.value, tmdb_id)
        except NotFound:
            raise NotFound(f"TMDB has no {media_type.value} with id {tmdb_id}") from None
        request = MediaRequest(
            media_type=media_type,
            tmdb_id=tmdb_id,
            title=title_of(details) or f"TMDB {tmdb_id}",
            year=year_of(details),
            overview=optional_str(details.get("overview")),
            poster_path=optional_str(details.get("poster_path")),
            imdb_id=imdb_id_of(details),
            tvdb_id=tvdb_id_of(details) if media_type is MediaType.TV else None,
            requested_by=session.name,
            requested_at=utcnow(),
            monitor=monitor,
        )
        # A concurrent request for the same title loses here with Conflict, not a duplicate.
        await self._store.add_request(request)
        if self._notifier is not None:
            await self._background.run(self._notifier.request_created(request))  # never raises
        return request

    async def remove(self, media_type: MediaType, tmdb_id: int, session: Session) -> None:
        existing = await self._store.get_request(media_type, tmdb_id)
        if existing is None:
            raise NotFound("Request not found")
        if not session.is_admin and existing.requested_by != session.name:
            raise Forbidden("Only the requester or an admin can remove this request")
        if not await self._store.delete_request(media_type, tmdb_id):
            raise NotFound("Request not found")

    async def change_monitor(
        self,
        media_type: MediaType,
        tmdb_id: int,
        monitor: Monitor,
        session: Session,
        choices: Collection[Monitor],
    ) -> MediaRequest:
        """An admin's change of a pending show's seasons; the first requester's choice holds
        for everyone else."""
        if not session.is_admin:
            raise Forbidden("Only an admin can change which seasons a request asks for")
        _check_choice(media_type, monitor, choices)
        if not await self._store.set_monitor(media_type, tmdb_id, monitor):
            if await self._store.get_request(media_type, tmdb_id) is None:
                raise NotFound("Request not found")
            raise Conflict("This show is already in the library: its seasons are Sonarr's now")
        changed = await self._store.get_request(media_type, tmdb_id)
        if changed is None:  # removed in between
            raise NotFound("Request not found")
        return changed


def _check_choice(media_type: MediaType, monitor: Monitor, choices: Collection[Monitor]) -> None:
    if monitor is Monitor.ALL:
        return
    if media_type is not MediaType.TV:
        raise BadRequest("Only shows have seasons: a movie is always requested whole")
    if monitor not in choices:
        raise BadRequest(
            f"The season choice {monitor.value!r} is not offered here: the admin has not set "
            "up its Sonarr list (SONARR_SEASON_LISTS)"
        )
