"""In-memory Store: real code for unit tests and throwaway runs, held to the same contract."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from stellarr.domain.errors import Conflict
from stellarr.domain.models import MediaRequest, MediaType


class MemoryStore:
    def __init__(self) -> None:
        self._requests: dict[tuple[MediaType, int], MediaRequest] = {}
        self._order: dict[tuple[MediaType, int], int] = {}
        self._library: dict[MediaType, frozenset[int]] = {}
        self._failures: dict[str, tuple[int, float]] = {}
        self._challenges: dict[str, float] = {}
        self._revision = 0
        self._sequence = 0
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

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
            if current is None:
                return False
            self._requests[current.key] = current.marked_added(when)
            self._revision += 1
            return True

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        rows = [r for r in self._requests.values() if media_type in (None, r.media_type)]
        rows.sort(key=lambda r: (r.requested_at, self._order[r.key]), reverse=True)
        return rows

    async def replace_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        async with self._lock:
            self._library[media_type] = frozenset(int(i) for i in tmdb_ids)
            self._revision += 1

    async def library_ids(self, media_type: MediaType) -> list[int]:
        return sorted(self._library.get(media_type, ()))

    async def failure_count(self, key: str, now: float) -> int:
        count, expires = self._failures.get(key, (0, 0.0))
        return count if expires > now else 0

    async def record_failure(self, key: str, now: float, window_seconds: int) -> int:
        count, expires = self._failures.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + window_seconds
        self._failures[key] = (count + 1, expires)
        return count + 1

    async def clear_failures(self, key: str) -> None:
        self._failures.pop(key, None)

    async def claim_challenge(self, challenge: str, expires_at: float, now: float) -> bool:
        expires = self._challenges.get(challenge)
        if expires is not None and expires > now:
            return False
        self._challenges[challenge] = expires_at
        return True
