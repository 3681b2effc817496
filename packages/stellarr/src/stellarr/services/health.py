"""Whether this instance can do its job: the store must accept writes, not only reads.

/api/health is public, so a flood of checks must not become a flood of probe writes (a
billed write on DynamoDB, the write lock on SQLite): each database says how often it may be
probed, and results are reused in between.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from stellarr.domain.errors import StellarrError
from stellarr.store.ports import Database

log = logging.getLogger(__name__)


class HealthCheck:
    def __init__(self, database: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self._database = database
        self._clock = clock
        self._interval = database.probe_interval
        self._healthy = True
        self._checked_at = -self._interval
        self._lock = asyncio.Lock()

    async def healthy(self) -> bool:
        if self._clock() - self._checked_at < self._interval:
            return self._healthy
        async with self._lock:
            if self._clock() - self._checked_at >= self._interval:
                try:
                    await self._database.check_writable()
                    self._healthy = True
                except StellarrError as exc:
                    if self._healthy:
                        log.error("store cannot be written: %s", exc)
                    self._healthy = False
                self._checked_at = self._clock()
        return self._healthy
