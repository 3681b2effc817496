"""What the store holds at one revision, loaded once and shared by every reader.

Feeds, library status and the search flags all read this; each rendering is built once
per revision, so a poll from Radarr costs one revision lookup and a bytes copy.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.store.base import Store


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    etag: str


@dataclass
class Snapshot:
    revision: int
    requests: list[MediaRequest]
    library: dict[MediaType, list[int]]
    pending: list[MediaRequest] = field(init=False)
    requested: frozenset[tuple[MediaType, int]] = field(init=False)
    in_library: frozenset[tuple[MediaType, int]] = field(init=False)
    _rendered: dict[str, Rendered] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.pending = [r for r in self.requests if r.status is RequestStatus.PENDING]
        self.requested = frozenset(r.key for r in self.requests)
        self.in_library = frozenset(
            (media_type, tmdb_id) for media_type, ids in self.library.items() for tmdb_id in ids
        )

    def rendered(self, name: str, build: Callable[[Snapshot], bytes]) -> Rendered:
        cached = self._rendered.get(name)
        if cached is None:
            body = build(self)
            etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
            cached = self._rendered[name] = Rendered(body, etag)
        return cached


class SnapshotCache:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._current: Snapshot | None = None
        self._loading: asyncio.Task[Snapshot] | None = None
        self._loading_revision = -1

    async def current(self) -> Snapshot:
        revision = await self._store.revision()
        snapshot = self._current
        if snapshot is not None and snapshot.revision == revision:
            return snapshot
        # One load per revision, however many pollers arrive while it runs.
        if self._loading is None or self._loading_revision != revision:
            self._loading_revision = revision
            self._loading = asyncio.ensure_future(self._load(revision))
        task = self._loading
        try:
            return await asyncio.shield(task)
        finally:
            if task.done() and self._loading is task:
                self._loading = None

    async def _load(self, revision: int) -> Snapshot:
        requests = await self._store.list_requests()
        movies = await self._store.library_ids(MediaType.MOVIE)
        shows = await self._store.library_ids(MediaType.TV)
        snapshot = Snapshot(revision, requests, {MediaType.MOVIE: movies, MediaType.TV: shows})
        if self._current is None or self._current.revision <= revision:
            self._current = snapshot
        return snapshot
