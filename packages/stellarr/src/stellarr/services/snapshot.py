"""What the store holds at one revision, loaded once and shared by every reader.

Feeds, library status and the search flags all read this; each rendering is built once
per revision, so a poll from Radarr costs one revision lookup and a bytes copy.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from stellarr.domain import content_coding
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus
from stellarr.store.ports import MediaStore


@dataclass(frozen=True, slots=True)
class Encoded:
    """One representation of a rendering: its bytes in one content coding."""

    body: bytes
    etag: str
    coding: str  # content_coding.IDENTITY or one of content_coding.OFFERED


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    etag: str
    _encoded: dict[str, Encoded] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def of(cls, body: bytes) -> Rendered:
        """`body` with its strong ETag: a hash of the bytes, the same in every process."""
        return cls(body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')

    def encoded(self, coding: str) -> Encoded:
        """The body in `coding`, compressed on first use and kept as long as the rendering.

        Falls back to the plain body where compressing does not pay. Each coding has its
        own strong ETag, so no cache can answer a gzip request with plain bytes or back.
        """
        found = self._encoded.get(coding)
        if found is None:
            found = self._encoded[coding] = self._encode(coding)
        return found

    def _encode(self, coding: str) -> Encoded:
        if coding == content_coding.IDENTITY:
            return Encoded(self.body, self.etag, coding)
        if len(self.body) >= content_coding.MIN_COMPRESS_BYTES:
            body = content_coding.encode(coding, self.body)
            if len(body) < len(self.body):
                return Encoded(body, f'{self.etag[:-1]}-{coding}"', coding)
        return self.encoded(content_coding.IDENTITY)


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
            cached = self._rendered[name] = Rendered.of(build(self))
        return cached


class SnapshotCache:
    def __init__(self, store: MediaStore) -> None:
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
