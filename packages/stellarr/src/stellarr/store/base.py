"""The Store port: everything Stellarr persists, in the domain's words.

Every adapter passes the same contract suite (tests/contract). Methods are async because
the DynamoDB adapter does network I/O; the SQLite adapter runs its work off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from stellarr.domain.models import MediaRequest, MediaType


class Store(Protocol):
    async def open(self) -> None:
        """Create or migrate the schema; safe to call on every start."""

    async def close(self) -> None: ...

    async def revision(self) -> int:
        """A counter that grows after every change to requests or the library.

        Readers take it *before* reading data, so a cache keyed by it is never fresher
        than its key claims.
        """

    # requests -------------------------------------------------------------------------
    async def add_request(self, request: MediaRequest) -> None:
        """Insert; raises Conflict when (media_type, tmdb_id) already exists."""

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None: ...

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        """True when a row was removed."""

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        """Set status to added; False when there is no such request."""

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        """Newest first."""

    # library (what the media server already has) --------------------------------------
    async def replace_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        """Swap the whole set at once; readers see the old set or the new, never a mix."""

    async def library_ids(self, media_type: MediaType) -> list[int]:
        """Ascending."""

    # login protection -----------------------------------------------------------------
    async def failure_count(self, key: str, now: float) -> int:
        """Failures recorded for key in its current window (0 once the window expired)."""

    async def record_failure(self, key: str, now: float, window_seconds: int) -> int:
        """Atomically add one failure; the window starts at the first failure. Returns count."""

    async def clear_failures(self, key: str) -> None: ...

    async def claim_challenge(self, challenge: str, expires_at: float, now: float) -> bool:
        """Record a used login challenge; False when it was already used and not expired."""
