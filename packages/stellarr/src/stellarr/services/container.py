"""The services one app instance uses, built by the composition root (bootstrap.py).

One AsyncExitStack owns what the services open or create: the settings source, the
database and the TMDB client. Closing is final and total: every resource is closed even
when one of them fails. The TMDB client (and httpx with it) is built on first use, so a
Lambda cold start that only answers a health check or reads the store never imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from functools import cached_property
from typing import TYPE_CHECKING

from stellarr.services.auth import LoginService
from stellarr.services.background import Background
from stellarr.services.health import HealthCheck
from stellarr.services.snapshot import SnapshotCache
from stellarr.services.trending_files import TrendingFiles
from stellarr.settings import Config, Settings, SettingsProvider
from stellarr.store.ports import Stores

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient
    from stellarr.clients.tvdb import TVDBClient
    from stellarr.clients.webpush import WebPushClient
    from stellarr.retry import Sleep
    from stellarr.services.fulfilment import Fulfilment
    from stellarr.services.media_requests import RequestService
    from stellarr.services.notifications import Notifier
    from stellarr.services.push import PushService
    from stellarr.services.search import SearchService
    from stellarr.services.show_ids import ShowResolver
    from stellarr.services.titles import TitleService


class ServicesClosed(RuntimeError):
    pass


class Services:
    def __init__(
        self,
        config: Config,
        settings: SettingsProvider,
        stores: Stores,
        tmdb: TMDBClient | None = None,
        webpush: WebPushClient | None = None,
        *,
        detach_background: bool = False,
    ) -> None:
        """`tmdb` and `webpush`, when given, stay their giver's to close; everything else
        is ours. `detach_background`: notifications a response does not report on run
        after it (a long-running server), not before it (Lambda, tests)."""
        self.config = config
        self.settings = settings
        self.stores = stores
        self.store = stores.media
        self.snapshots = SnapshotCache(stores.media)
        self.login = LoginService(stores.keys)
        self.health = HealthCheck(stores.database)
        self.trending_files = TrendingFiles(config.trending_dir)
        self.background = Background(detached=detach_background)
        self._given_tmdb = tmdb
        self._given_webpush = webpush
        self._stack = AsyncExitStack()
        # Registered now, not on open: an adapter may hold connections from before open().
        self._stack.push_async_callback(settings.aclose)
        self._stack.push_async_callback(stores.database.close)
        self._opened = False
        self._closed = False
        self._lock = asyncio.Lock()

    async def current_settings(self) -> Settings:
        return await self.settings.get()

    @cached_property
    def tmdb(self) -> TMDBClient:
        if self._given_tmdb is not None:
            return self._given_tmdb
        from stellarr.clients.tmdb import TMDBClient, TMDBCredentials

        if self._closed:
            raise ServicesClosed("services are closed")
        client = TMDBClient(self.config.tmdb_base_url, TMDBCredentials(self.settings))
        self._stack.push_async_callback(client.aclose)
        return client

    @cached_property
    def tvdb(self) -> TVDBClient:
        from stellarr.clients.tvdb import TVDBClient

        if self._closed:
            raise ServicesClosed("services are closed")
        client = TVDBClient(self.config.tvdb_base_url, self.settings)
        self._stack.push_async_callback(client.aclose)
        return client

    @cached_property
    def webpush(self) -> WebPushClient:
        if self._given_webpush is not None:
            return self._given_webpush
        from stellarr.clients.webpush import WebPushClient

        if self._closed:
            raise ServicesClosed("services are closed")
        client = WebPushClient()
        self._stack.push_async_callback(client.aclose)
        return client

    @cached_property
    def push(self) -> PushService:
        from stellarr.services.push import PushService

        return PushService(self.stores.push, self.webpush, self.settings)

    @cached_property
    def notifier(self) -> Notifier:
        from stellarr.services.notifications import Notifier

        return Notifier(self.push, self.settings)

    @cached_property
    def show_ids(self) -> ShowResolver:
        from stellarr.services.show_ids import ShowResolver

        return ShowResolver(self.stores.keys, self.tmdb, self.tvdb)

    @cached_property
    def fulfilment(self) -> Fulfilment:
        from stellarr.services.fulfilment import Fulfilment

        return Fulfilment(self.store, self.tmdb, self.notifier, self.background)

    @cached_property
    def media_requests(self) -> RequestService:
        from stellarr.services.media_requests import RequestService

        return RequestService(self.store, self.tmdb, self.notifier, self.background)

    @cached_property
    def search(self) -> SearchService:
        from stellarr.services.search import SearchService

        return SearchService(self.tmdb, self.snapshots)

    @cached_property
    def titles(self) -> TitleService:
        from stellarr.services.titles import TitleService

        return TitleService(self.tmdb, self.snapshots)

    def schedule_trending(
        self, *, clock: Callable[[], float] = time.time, sleep: Sleep = asyncio.sleep
    ) -> None:
        """Keep the data folder's trending files fresh in the background, until close()."""
        from stellarr.services.trending import TrendingWarmer
        from stellarr.services.trending_destinations import LocalFolder
        from stellarr.services.trending_schedule import TrendingSchedule

        if self._closed:
            raise ServicesClosed("services are closed")
        folder = LocalFolder(self.config.trending_dir)
        # self.tmdb first: the stack closes in reverse, so the schedule stops before the
        # client it calls TMDB with is closed.
        warmer = TrendingWarmer.for_config(self.tmdb, folder, self.config)
        schedule = TrendingSchedule(
            warmer.run, lambda: folder.oldest_mtime(warmer.names), clock=clock, sleep=sleep
        )
        task = asyncio.create_task(schedule.run_forever(), name="stellarr-trending")
        self._stack.push_async_callback(_stop, task)

    async def ready(self) -> None:
        """Open the database once; on Lambda there is no lifespan, so the first request
        does it."""
        if self._opened:
            return
        async with self._lock:
            if self._closed:
                raise ServicesClosed("services are closed")
            if not self._opened:
                await self.stores.database.open()
                self._opened = True

    async def close(self) -> None:
        self._closed = True
        self._opened = False
        # Notifications still being sent need the clients the stack is about to close.
        await self.background.drain()
        await self._stack.aclose()


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
