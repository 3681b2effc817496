"""Derived login keys: PBKDF2 once per (password, origin), so a login costs one SHA-256.

No client without the password may make a real login fail, so:
- an origin that has had a successful login is pinned and never evicted by others;
- new origins (only possible when logins trust the Host header) are derived within a
  budget per client, spent before queueing, not one server-wide pool that strangers could
  drain; their cache is a small LRU that cannot push pinned origins out;
- a proven origin (configured, or one that had a successful login, remembered in the store
  across restarts) never queues behind strangers: it has its own lane.
Derivations run one at a time per lane on a worker thread, so a flood queues rather than
multiplying CPU use.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from stellarr.domain import challenge
from stellarr.domain.errors import RateLimited

UNPROVEN_CACHE_SIZE = 32
NEW_DERIVATIONS_PER_CLIENT_PER_MINUTE = 4
TRACKED_CLIENTS = 4096

Key = tuple[str, str]  # (password, origin)


class DerivedKeys:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pinned: dict[Key, str] = {}
        self._unproven: OrderedDict[Key, str] = OrderedDict()
        self._budgets: OrderedDict[str, deque[float]] = OrderedDict()
        self._stranger_lane = asyncio.Lock()
        self._proven_lane = asyncio.Lock()

    def pin(self, password: str, origin: str) -> None:
        """Keep this origin's key for good: somebody logged in with it."""
        key = (password, origin)
        value = self._unproven.pop(key, None) or self._pinned.get(key)
        if value is not None:
            self._pinned[key] = value

    def cached(self, password: str, origin: str) -> str | None:
        return self._cached((password, origin))

    async def get(self, password: str, origin: str, client: str, *, proven: bool) -> str:
        key = (password, origin)
        value = self._cached(key)
        if value is not None:
            return value
        if proven:
            async with self._proven_lane:
                value = self._cached(key)
                if value is None:
                    value = await asyncio.to_thread(challenge.derive_key, password, origin)
                    self._pinned[key] = value
            return value
        self._spend(client)  # before queueing: a client over budget waits for nobody
        async with self._stranger_lane:
            value = self._cached(key)
            if value is None:
                value = await asyncio.to_thread(challenge.derive_key, password, origin)
                self._unproven[key] = value
                while len(self._unproven) > UNPROVEN_CACHE_SIZE:
                    self._unproven.popitem(last=False)
        return value

    def _cached(self, key: Key) -> str | None:
        value = self._pinned.get(key)
        if value is None:
            value = self._unproven.get(key)
            if value is not None:
                self._unproven.move_to_end(key)
        return value

    def _spend(self, client: str) -> None:
        now = self._clock()
        recent = self._budgets.pop(client, None) or deque()
        while recent and now - recent[0] > 60:
            recent.popleft()
        self._budgets[client] = recent  # most recently seen last
        while len(self._budgets) > TRACKED_CLIENTS:
            self._budgets.popitem(last=False)
        if len(recent) >= NEW_DERIVATIONS_PER_CLIENT_PER_MINUTE:
            raise RateLimited(
                "Too many logins from new addresses; try again in a minute",
                retry_after=int(60 - (now - recent[0])) + 1,
            )
        recent.append(now)
