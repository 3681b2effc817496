"""Media landed in the library: record it, turn the matching request added, tell its owner.

One webhook event (`fulfil`: which show it is, `record`, then remember the show's ids) or a
whole library at once (`sync`). A request is matched in
this order: TMDB id, TVDB id, IMDb id (the ids may come from the Plex GUID cache, see
services/show_ids.py), TMDB's own id for the item's TVDB or IMDb id, and only when no TMDB
id is known for the item, its title (exactly one pending candidate, years agreeing).
`mark_added` is idempotent and atomic, so a repeated or concurrent event notifies once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from stellarr.domain.library_events import ItemKind, LibraryItem, WebhookEvent
from stellarr.domain.matching import match_by_ids, match_by_title
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus, utcnow
from stellarr.domain.sync_items import SyncItems
from stellarr.services.background import Background
from stellarr.store.ports import MediaStore

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient
    from stellarr.services.show_ids import ShowResolver

log = logging.getLogger(__name__)

# Notifications after a sync go out a few at a time, not hundreds at once.
NOTIFY_CONCURRENCY = 8
# A payload's own strings are cut to this in logs.
SHORT = 80


class FulfilmentNotifier(Protocol):
    async def fulfilled(self, request: MediaRequest) -> bool: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    title: str
    media_type: MediaType
    # The movie's or show's TMDB id, when known.
    tmdb_id: int | None
    ids: MediaIds
    added_to_library: bool
    # A request names this title (pending until now, or added before).
    matched_request: bool
    notification_sent: bool
    # What the server added: the movie, show, season or episode.
    kind: ItemKind
    matched_by: str | None = None


class Fulfilment:
    def __init__(
        self,
        store: MediaStore,
        tmdb: TMDBClient,
        notifier: FulfilmentNotifier,
        background: Background | None = None,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._tmdb = tmdb
        self._notifier = notifier
        self._background = background or Background(detached=False)
        self._now = now

    async def fulfil(self, event: WebhookEvent, shows: ShowResolver) -> Outcome:
        """A media server's addition (`event.item` set), from which show it is to the
        notification."""
        item = event.item
        if item is None:
            raise ValueError("only an addition is fulfilled")
        log.info(
            "WEBHOOK: %s %s %s %r (server %r)",
            event.source,
            event.event[:SHORT],
            item.kind.value,
            item.title[:SHORT],
            (event.server_name or "")[:SHORT],
        )
        identity = await shows.identify(item)
        log.info("WEBHOOK: ids %s via %s", identity.ids.to_json(), identity.via)
        outcome = await self.record(item, identity.ids)
        # A title match is a guess about this one item: cached under the show's GUID it would
        # decide every later episode of the show for a month.
        if outcome.tmdb_id is not None and identity.guid and outcome.matched_by != "title":
            await shows.remember(identity.guid, outcome.ids)
        return outcome

    async def record(self, item: LibraryItem, ids: MediaIds) -> Outcome:
        """`ids`: the movie's or show's ids (the show's, for a season or episode)."""
        media_type = item.media_type
        show_level = item.kind in (ItemKind.SEASON, ItemKind.EPISODE)
        # A season's or episode's own title ("Pilot", "Season 1") names no request.
        title = item.show_title if show_level else item.title
        year = item.show_year if show_level else item.year
        pending: list[MediaRequest] | None = None

        async def pending_requests() -> list[MediaRequest]:
            # Read at most once per event, and only when an id or title needs the list.
            nonlocal pending
            if pending is None:
                pending = await self._pending(media_type)
            return pending

        request, how = await self._match_ids(media_type, ids, pending_requests)
        tmdb_id = request.tmdb_id if request else ids.tmdb
        if request is None and tmdb_id is None and not ids.empty:
            tmdb_id = await self._tmdb_id(media_type, ids)
            if tmdb_id is not None:
                request = await self._store.get_request(media_type, tmdb_id)
                how = "tmdb_find" if request is not None else None
        if request is None and tmdb_id is None and title:
            request = match_by_title(await pending_requests(), media_type, title, year)
            if request is not None:
                how, tmdb_id = "title", request.tmdb_id
        if tmdb_id is not None:
            ids = ids.merged(MediaIds(tmdb=tmdb_id))
            await self._store.add_to_library(media_type, [tmdb_id])
            log.info("WEBHOOK: %s/%d is in the library", media_type.value, tmdb_id)
        else:
            log.info("WEBHOOK: no TMDB id for %r; library unchanged", title)
        sent = False
        if request is not None:
            log.info("WEBHOOK: %r matches request %s/%d by %s", title, *request.key, how)
            when = self._now()
            fulfilled = request.status is RequestStatus.PENDING and await self._store.mark_added(
                media_type, request.tmdb_id, when
            )
            if fulfilled:
                log.info("WEBHOOK: request %s/%d marked added", *request.key)
                sent = await self._notify(request.marked_added(when))
            else:
                log.info("WEBHOOK: request %s/%d was already added or is gone", *request.key)
        else:
            log.info("WEBHOOK: no request for %r", title)
        return Outcome(
            title=title or item.title,
            media_type=media_type,
            tmdb_id=tmdb_id,
            ids=ids,
            added_to_library=tmdb_id is not None,
            matched_request=request is not None,
            notification_sent=sent,
            matched_by=how,
            kind=item.kind,
        )

    async def sync(
        self, media_type: MediaType, clear: bool, read_items: Callable[[], Awaitable[SyncItems]]
    ) -> tuple[int, int]:
        """Read the titles (`read_items`: the request body as it arrives), write the library
        (replacing it atomically when `clear`), then mark the pending requests it holds
        added. Returns (titles synced, requests marked added).

        A replace starts before the body is read: the list was made before the sync began,
        so a title a webhook adds meanwhile is newer than it, and is kept."""
        started = await self._store.start_library_replace(media_type) if clear else None
        try:
            items = await read_items()
            matched = _in_library(await self._pending(media_type), items)
            # A request matched by TVDB or IMDb id is this title under the request's TMDB id.
            library = [*items.tmdb_ids, *(request.tmdb_id for request in matched)]
            if started is not None:
                await self._store.replace_library(media_type, library, started)
            else:
                await self._store.add_to_library(media_type, library)
        except BaseException:
            if started is not None:
                await self._cancel(media_type, started)
            raise
        when = self._now()
        fulfilled = [
            request.marked_added(when)
            for request in matched
            if await self._store.mark_added(media_type, request.tmdb_id, when)
        ]
        # The answer does not report on notifications, so a slow channel never delays it.
        await self._background.run(self._notify_all(fulfilled))
        log.info(
            "SYNC: %d %s titles %s; %d requests marked added",
            len(items),
            media_type.value,
            "replace the library" if clear else "added to the library",
            len(fulfilled),
        )
        return len(items), len(fulfilled)

    async def _cancel(self, media_type: MediaType, started: int) -> None:
        try:
            await self._store.cancel_library_replace(media_type, started)
        except Exception:
            # What failed the sync is what its caller must hear; a replace left started
            # only costs adds an extra write until the next one is applied.
            log.exception("SYNC: giving up the started %s replace failed", media_type.value)

    async def _notify_all(self, fulfilled: list[MediaRequest]) -> None:
        gate = asyncio.Semaphore(NOTIFY_CONCURRENCY)

        async def notify(request: MediaRequest) -> bool:
            async with gate:
                return await self._notify(request)

        await asyncio.gather(*(notify(request) for request in fulfilled))

    async def _pending(self, media_type: MediaType) -> list[MediaRequest]:
        requests = await self._store.list_requests(media_type)
        return [r for r in requests if r.status is RequestStatus.PENDING]

    async def _match_ids(
        self,
        media_type: MediaType,
        ids: MediaIds,
        pending_requests: Callable[[], Awaitable[list[MediaRequest]]],
    ) -> tuple[MediaRequest | None, str | None]:
        """(the request, which id matched) or (None, None). Other ids than TMDB's match
        pending requests only."""
        if ids.tmdb is not None:
            request = await self._store.get_request(media_type, ids.tmdb)
            if request is not None:
                # A request under this TMDB id settles it, pending or already added.
                return request, "tmdb"
        if ids.tvdb is None and ids.imdb is None:
            return None, None
        found = match_by_ids(await pending_requests(), media_type, ids)
        return found if found is not None else (None, None)

    async def _tmdb_id(self, media_type: MediaType, ids: MediaIds) -> int | None:
        """TMDB's id for a movie or show known only by its TVDB or IMDb id."""
        results = "movie_results" if media_type is MediaType.MOVIE else "tv_results"
        return await self._tmdb.find_first(ids, results)

    async def _notify(self, request: MediaRequest) -> bool:
        try:
            sent = await self._notifier.fulfilled(request)
        except Exception:
            # The request is added whatever happens to the message; never fail the webhook.
            log.exception("WEBHOOK: notifying about %s/%d failed", *request.key)
            return False
        log.info("WEBHOOK: notification for %s/%d %s", *request.key, "sent" if sent else "not sent")
        return sent


def _in_library(pending: list[MediaRequest], items: SyncItems) -> list[MediaRequest]:
    """The pending requests that the synced titles hold, by TMDB, TVDB or IMDb id. The few
    pending ids are looked up in the long columns, not the other way round."""
    if not pending:
        return []
    tmdb = {r.tmdb_id for r in pending}.intersection(items.tmdb_ids)
    tvdb = {r.tvdb_id for r in pending if r.tvdb_id is not None}
    imdb = {r.imdb_id for r in pending if r.imdb_id is not None}
    tvdb = tvdb.intersection(items.tvdb_ids) if tvdb else tvdb
    imdb = imdb.intersection(items.imdb_ids) if imdb else imdb
    return [r for r in pending if r.tmdb_id in tmdb or r.tvdb_id in tvdb or r.imdb_id in imdb]
