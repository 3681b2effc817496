"""Who is told what: the requester's browsers (Web Push) when their title lands in the
library, and the NOTIFY_URLS channels (Apprise) on new requests and on fulfilment.

A notification is a courtesy: whatever fails here is logged and never fails the request
or the webhook that caused it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from stellarr.domain.models import MediaRequest, MediaType
from stellarr.settings import Settings, SettingsProvider

if TYPE_CHECKING:
    from stellarr.clients.notify import AppriseNotifier
    from stellarr.services.push import PushService

log = logging.getLogger(__name__)

POSTER_BASE = "https://image.tmdb.org/t/p/w500"
ICON_PATH = "/icons/icon-192.png"
KIND = {MediaType.MOVIE: ("Movie", "movie"), MediaType.TV: ("TV Show", "TV show")}


def site_path(settings: Settings, path: str) -> str:
    """Under PUBLIC_URL when set (it may carry a path); else relative to the app's origin,
    which is where the service worker resolves it."""
    return f"{settings.public_url}{path}" if settings.public_url else path


def fulfilled_payload(request: MediaRequest, settings: Settings) -> dict[str, Any]:
    """What the service worker shows; the same `tag` replaces an earlier one."""
    poster = request.poster_path
    return {
        "title": f"{KIND[request.media_type][0]} Available",
        "body": f"{request.title} has been added to the library!",
        "tag": f"fulfilled-{request.media_type.value}-{request.tmdb_id}",
        "image": f"{POSTER_BASE}{poster}" if poster and poster.startswith("/") else None,
        "icon": site_path(settings, ICON_PATH),
        "url": site_path(settings, "/"),
    }


def _named(request: MediaRequest) -> str:
    return f"{request.title} ({request.year})" if request.year else request.title


class Notifier:
    def __init__(
        self,
        push: PushService,
        settings: SettingsProvider,
        channels: AppriseNotifier | None = None,
    ) -> None:
        self._push = push
        self._settings = settings
        self._channels = channels

    def _apprise(self) -> AppriseNotifier:
        if self._channels is None:
            from stellarr.clients.notify import AppriseNotifier

            self._channels = AppriseNotifier()
        return self._channels

    async def _tell_channels(self, settings: Settings, title: str, body: str) -> bool:
        # Titles and names go in as they are: the Apprise client makes every mention and
        # link inert on the way out, for this message and any later one.
        if not settings.notify_urls:
            return False
        return await self._apprise().send(settings.notify_urls, title, body)

    async def request_created(self, request: MediaRequest) -> None:
        try:
            settings = await self._settings.get()
            kind = KIND[request.media_type][1]
            await self._tell_channels(
                settings,
                f"New request: {_named(request)}",
                f"{request.requested_by} requested the {kind} {_named(request)}.",
            )
        except Exception:
            log.exception("NOTIFY: telling about a new request failed")

    async def fulfilled(self, request: MediaRequest) -> bool:
        """Tell the requester's browsers and the channels; True when any channel took it."""
        try:
            settings = await self._settings.get()
            payload = fulfilled_payload(request, settings)
            pushed, told = await asyncio.gather(
                self._push.send(request.requested_by, payload),
                self._tell_channels(settings, payload["title"], payload["body"]),
                return_exceptions=True,
            )
        except Exception:
            log.exception("NOTIFY: telling about %s failed", request.key)
            return False
        for result in (pushed, told):
            if isinstance(result, BaseException):
                log.error("NOTIFY: a channel failed", exc_info=result)
        return (isinstance(pushed, int) and pushed > 0) or told is True
