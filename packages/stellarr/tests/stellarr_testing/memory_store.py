"""In-memory adapters of every store port: real code for unit tests, held to the same
contract suites as SQLite and DynamoDB (like httpx's MockTransport, it lives with the tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from stellarr.domain.errors import Conflict
from stellarr.domain.models import MediaRequest, MediaType, Monitor, RequestStatus
from stellarr.store.ports import Entry, PushSubscription, Stores, check_key


class MemoryMediaStore:
    def __init__(self) -> None:
        self._requests: dict[tuple[MediaType, int], MediaRequest] = {}
        self._order: dict[tuple[MediaType, int], int] = {}
        self._library: dict[MediaType, frozenset[int]] = {}
        # Title -> the start count when an add last confirmed it; a replace started at N
        # keeps the titles stamped N or later.
        self._stamps: dict[tuple[MediaType, int], int] = {}
        self._starts = 0
        # The start of the last replace applied: one started earlier loses to it.
        self._replaced: dict[MediaType, int] = {}
        self._revision = 0
        self._sequence = 0
        self._lock = asyncio.Lock()

    async def revision(self) -> int:
        return self._revision

    async def add_request(self, request: MediaRequest) -> None:
        async with self._lock:
            if request.key in self._requests:
                raise Conflict(f"{request.media_type}/{request.tmdb_id} already requested")
            self._sequence += 1
            self._requests[request.key] = request
            self._order[request.key] = self._sequence
            self._revision += 1

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None:
        return self._requests.get((media_type, tmdb_id))

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        async with self._lock:
            removed = self._requests.pop((media_type, tmdb_id), None)
            if removed is not None:
                self._revision += 1
            return removed is not None

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        async with self._lock:
            current = self._requests.get((media_type, tmdb_id))
            if current is None or current.status is RequestStatus.ADDED:
                return False
            self._requests[current.key] = current.marked_added(when)
            self._revision += 1
            return True

    async def set_monitor(self, media_type: MediaType, tmdb_id: int, monitor: Monitor) -> bool:
        async with self._lock:
            current = self._requests.get((media_type, tmdb_id))
            if current is None or current.status is RequestStatus.ADDED:
                return False
            if current.monitor is not monitor:
                self._requests[current.key] = replace(current, monitor=monitor)
                self._revision += 1
            return True

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        rows = [r for r in self._requests.values() if media_type in (None, r.media_type)]
        rows.sort(key=lambda r: (r.requested_at, self._order[r.key]), reverse=True)
        return rows

    async def start_library_replace(self, media_type: MediaType) -> int:
        async with self._lock:
            self._starts += 1
            return self._starts

    async def replace_library(
        self, media_type: MediaType, tmdb_ids: Iterable[int], started: int | None = None
    ) -> None:
        async with self._lock:
            if started is None:
                self._starts += 1
                started = self._starts
            elif started < self._replaced.get(media_type, 0):
                return
            self._replaced[media_type] = since = started
            current = self._library.get(media_type, frozenset())
            kept = {i for i in current if self._stamps.get((media_type, i), 0) >= since}
            self._library[media_type] = frozenset(int(i) for i in tmdb_ids) | kept
            self._revision += 1

    async def cancel_library_replace(self, media_type: MediaType, started: int) -> None:
        return None

    async def add_to_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        async with self._lock:
            ids = {int(i) for i in tmdb_ids}
            self._stamps.update(((media_type, i), self._starts) for i in ids)
            current = self._library.get(media_type, frozenset())
            updated = current | ids
            if updated != current:
                self._library[media_type] = updated
                self._revision += 1

    async def library_ids(self, media_type: MediaType) -> list[int]:
        return sorted(self._library.get(media_type, ()))


class MemoryExpiringKeys:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}

    def _live(self, key: str, now: float) -> Entry | None:
        entry = self._entries.get(check_key(key))
        return entry if entry is not None and entry.expires_at > now else None

    async def get(self, key: str, now: float) -> Entry | None:
        return self._live(key, now)

    async def put(
        self, key: str, value: str, expires_at: float, now: float, *, replace: bool = True
    ) -> bool:
        if not replace and self._live(key, now) is not None:
            return False
        self._entries[key] = Entry(value, 0, expires_at)
        return True

    async def add(self, key: str, amount: int, expires_at: float, now: float) -> int:
        entry = self._live(key, now) or Entry("", 0, expires_at)
        self._entries[key] = Entry(entry.value, entry.count + amount, entry.expires_at)
        return entry.count + amount


class MemoryPushSubscriptions:
    def __init__(self) -> None:
        self._by_endpoint: dict[str, PushSubscription] = {}

    async def save(self, subscription: PushSubscription) -> bool:
        current = self._by_endpoint.get(subscription.endpoint)
        if current is not None and current.user != subscription.user:
            raise Conflict("this push endpoint belongs to another user")
        if current is not None:
            subscription = replace(subscription, created_at=current.created_at)
        self._by_endpoint[subscription.endpoint] = subscription
        return current is None

    async def for_user(self, user: str) -> list[PushSubscription]:
        rows = [s for s in self._by_endpoint.values() if s.user == user]
        return sorted(rows, key=lambda s: s.created_at)

    async def remove(self, user: str, endpoint: str) -> bool:
        current = self._by_endpoint.get(endpoint)
        if current is None or current.user != user:
            return False
        del self._by_endpoint[endpoint]
        return True

    async def discard(self, endpoint: str) -> None:
        self._by_endpoint.pop(endpoint, None)


class MemoryDatabase:
    probe_interval = 0.0

    async def open(self) -> None:
        return None

    async def check_writable(self) -> None:
        return None

    async def close(self) -> None:
        return None


def memory_stores(media: MemoryMediaStore | None = None) -> Stores:
    return Stores(
        MemoryDatabase(),
        media or MemoryMediaStore(),
        MemoryExpiringKeys(),
        MemoryPushSubscriptions(),
    )
