"""The services one app instance uses, built by the composition root (bootstrap.py).

The TMDB client (and httpx with it) is built on first use, so a Lambda cold start that only
answers a health check or reads the store never imports it.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from typing import TYPE_CHECKING

from stellarr.services.auth import LoginService
from stellarr.services.snapshot import SnapshotCache
from stellarr.settings import Settings, SettingsProvider
from stellarr.store.base import Store

if TYPE_CHECKING:
    from stellarr.clients.tmdb import TMDBClient
    from stellarr.services.media_requests import RequestService
    from stellarr.services.search import SearchService


class Services:
    def __init__(
        self, settings: SettingsProvider, store: Store, tmdb: TMDBClient | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.snapshots = SnapshotCache(store)
        self.login = LoginService(store)
        self._tmdb = tmdb
        self._current: Settings | None = None
        self._opened = False
        self._lock = asyncio.Lock()

    async def current_settings(self) -> Settings:
        settings = await self.settings.get()
        if settings is not self._current:
            # A rotated secret brings new TMDB credentials without a restart.
            self._current = settings
            if self._tmdb is not None:
                self._tmdb.configure(settings.tmdb_api_key, settings.tmdb_read_token)
        return settings

    @property
    def tmdb(self) -> TMDBClient:
        if self._tmdb is None:
            from stellarr.clients.tmdb import TMDBClient

            if self._current is None:
                raise RuntimeError("current_settings() must run before TMDB is used")
            self._tmdb = TMDBClient(
                self._current.tmdb_base_url,
                api_key=self._current.tmdb_api_key,
                read_token=self._current.tmdb_read_token,
            )
        return self._tmdb

    @cached_property
    def media_requests(self) -> RequestService:
        from stellarr.services.media_requests import RequestService

        return RequestService(self.store, self.tmdb)

    @cached_property
    def search(self) -> SearchService:
        from stellarr.services.search import SearchService

        return SearchService(self.tmdb, self.snapshots)

    async def ready(self) -> None:
        """Open the store once; on Lambda there is no lifespan, so the first request does it."""
        if self._opened:
            return
        async with self._lock:
            if not self._opened:
                await self.store.open()
                self._opened = True

    async def close(self) -> None:
        await self.settings.aclose()
        if self._tmdb is not None:
            await self._tmdb.aclose()
        # Always: an adapter may hold connections from before open() (e.g. table setup).
        await self.store.close()
        self._opened = False
