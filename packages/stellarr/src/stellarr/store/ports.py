"""The persistence ports, one per concern, in the domain's words.

- `MediaStore`: requests, the library and the revision that versions both (the snapshot
  reads them together).
- `PushSubscriptions`: Web Push subscriptions, owned per user.
- `ExpiringKeys`: one generic primitive, a key holding a value and a counter until it
  expires, set or counted atomically. Login limits, used login challenges and caches of
  upstream lookups are all this, so such features add keys, not methods.
- `Database`: the one handle per backend that the adapters share; opening and closing it is
  the composition root's business, not theirs.

Every adapter of a port passes the same contract suite (tests/contract). Methods are async
because the DynamoDB adapters do network I/O; the SQLite ones run off the event loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from stellarr.domain.models import MediaRequest, MediaType, Monitor


class Database(Protocol):
    # How often a health check may probe it (seconds): probes are writes.
    probe_interval: float

    async def open(self) -> None:
        """Create or migrate the schema; safe to call on every start."""

    async def close(self) -> None:
        """Release every connection; final."""

    async def check_writable(self) -> None:
        """Raise StoreError unless a write would be accepted right now."""


class MediaStore(Protocol):
    async def revision(self) -> int:
        """A counter that grows after every change to requests or the library.

        Readers take it *before* reading data, so a cache keyed by it is never fresher
        than its key claims.
        """

    async def add_request(self, request: MediaRequest) -> None:
        """Insert; raises Conflict when (media_type, tmdb_id) already exists."""

    async def get_request(self, media_type: MediaType, tmdb_id: int) -> MediaRequest | None: ...

    async def delete_request(self, media_type: MediaType, tmdb_id: int) -> bool:
        """True when a row was removed."""

    async def mark_added(self, media_type: MediaType, tmdb_id: int, when: datetime) -> bool:
        """Turn a pending request added at `when`, atomically and idempotently.

        True only for the call that made the change, so the requester is told once; False
        when there is no such request or it was already added (its `added_at` stays)."""

    async def set_monitor(self, media_type: MediaType, tmdb_id: int, monitor: Monitor) -> bool:
        """Change a *pending* request's season choice, atomically; True when it was changed
        or already so. False when there is no such request or it was already added."""

    async def list_requests(self, media_type: MediaType | None = None) -> list[MediaRequest]:
        """Newest first."""

    async def start_library_replace(self, media_type: MediaType) -> int:
        """Begin a replace of this library before its new contents are known (a sync starts
        it before it reads its body). Every add_to_library call that begins after this
        returns is kept by the replace_library call given the returned token: the list the
        replace brings was made before those titles arrived. A started replace is finished
        by replace_library or given up with cancel_library_replace."""

    async def replace_library(
        self, media_type: MediaType, tmdb_ids: Iterable[int], started: int | None = None
    ) -> None:
        """Swap the whole set at once; readers see the old set or the new, never a mix. The
        new set is `tmdb_ids` and every title added since `started` (from
        start_library_replace); without it, the replace starts at this call."""

    async def cancel_library_replace(self, media_type: MediaType, started: int) -> None:
        """Give up a started replace that will not happen; the library stays as it is."""

    async def add_to_library(self, media_type: MediaType, tmdb_ids: Iterable[int]) -> None:
        """Add titles to the library, keeping those already there. Against a concurrent
        replace it lands before the replace started (and is replaced away) or after it,
        never in a set nobody reads: one that begins after the replace started, or returns
        after the replace has returned, has its titles in the new set. Titles all already
        there change nothing, the revision included."""

    async def library_ids(self, media_type: MediaType) -> list[int]:
        """Ascending."""


@dataclass(frozen=True, slots=True)
class Entry:
    value: str
    count: int
    expires_at: float


class ExpiringKeys(Protocol):
    """Keys are `NAMESPACE#rest` (see `check_key`); an entry past `expires_at` is absent."""

    async def get(self, key: str, now: float) -> Entry | None: ...

    async def put(
        self, key: str, value: str, expires_at: float, now: float, *, replace: bool = True
    ) -> bool:
        """Store `value` (count 0) until `expires_at`. With replace=False only when no live
        entry holds the key; True when it was stored. Atomic either way."""

    async def add(self, key: str, amount: int, expires_at: float, now: float) -> int:
        """Atomically add `amount` to the key's count and return the new count. A key with
        no live entry starts from 0 and expires at `expires_at`; a live one keeps its expiry,
        so a window that starts at the first event stays fixed."""


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """One browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys)."""

    user: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: datetime


class PushSubscriptions(Protocol):
    """A user may have several subscriptions (one per device); an endpoint has exactly one
    owner, and only that owner can replace or remove it."""

    async def save(self, subscription: PushSubscription) -> bool:
        """Store it, or refresh the keys of the owner's own; True when it is new. Raises
        Conflict when another user owns the endpoint."""

    async def for_user(self, user: str) -> list[PushSubscription]:
        """Oldest first."""

    async def remove(self, user: str, endpoint: str) -> bool:
        """Remove the user's own subscription; False when the user has no such one."""

    async def discard(self, endpoint: str) -> None:
        """Forget an endpoint whoever owns it: the push service said it is gone."""


@dataclass(frozen=True, slots=True)
class Stores:
    """What the composition root builds for one backend: the handle and its adapters."""

    database: Database
    media: MediaStore
    keys: ExpiringKeys
    push: PushSubscriptions


# Upper-case namespaces cannot collide with the request partitions (`movie`, `tv`) of the
# DynamoDB table; META and LIBRARY# belong to MediaStore, PUSH# and PUSHENDPOINT# to
# PushSubscriptions.
_KEY = re.compile(r"[A-Z][A-Z0-9_]*#.{1,900}", re.DOTALL)
_RESERVED = ("LIBRARY#", "META#", "PUSH#", "PUSHENDPOINT#")


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or key.startswith(_RESERVED):
        raise ValueError(f"not a namespaced key: {key[:40]!r}")
    return key
