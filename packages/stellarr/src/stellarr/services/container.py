"""The services one app instance uses, built by the composition root (bootstrap.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from stellarr.clients.tmdb import TMDBClient
from stellarr.services.auth import LoginService
from stellarr.services.requests import RequestService
from stellarr.services.search import SearchService
from stellarr.services.snapshot import SnapshotCache
from stellarr.settings import SettingsProvider
from stellarr.store.base import Store


@dataclass
class Services:
    settings: SettingsProvider
    store: Store
    tmdb: TMDBClient
    snapshots: SnapshotCache
    login: LoginService
    requests: RequestService
    search: SearchService
    _opened: bool = field(default=False, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @classmethod
    def build(cls, settings: SettingsProvider, store: Store, tmdb: TMDBClient) -> Services:
        snapshots = SnapshotCache(store)
        return cls(
            settings=settings,
            store=store,
            tmdb=tmdb,
            snapshots=snapshots,
            login=LoginService(store),
            requests=RequestService(store, tmdb),
            search=SearchService(tmdb, snapshots),
        )

    async def ready(self) -> None:
        """Open the store once; on Lambda there is no lifespan, so the first request does it."""
        if self._opened:
            return
        async with self._lock:
            if not self._opened:
                await self.store.open()
                self._opened = True

    async def close(self) -> None:
        await self.tmdb.aclose()
        if self._opened:
            await self.store.close()
            self._opened = False
