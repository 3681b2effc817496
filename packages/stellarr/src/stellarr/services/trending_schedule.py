"""The trending warmer inside `stellarr serve`: at start-up when a file is missing or older
than a day, then daily. Lambda has no scheduler (EventBridge calls `cache_warmer`).

The schedule follows the files, not a timer of its own: a file written by
`stellarr warm-trending` meanwhile postpones the next run, and a file that failed to
refresh is tried again an hour later rather than a day.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from stellarr.retry import Sleep
from stellarr.services.trending import Summary, failed

log = logging.getLogger(__name__)

PERIOD_SECONDS = 24 * 3600
RETRY_SECONDS = 3600


class TrendingSchedule:
    def __init__(
        self,
        warm: Callable[[], Awaitable[Summary]],
        oldest_mtime: Callable[[], float | None],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._warm = warm
        self._oldest_mtime = oldest_mtime
        self._clock = clock
        self._sleep = sleep

    def delay(self, at_least: float) -> float:
        """Seconds until the stalest file is a day old (no less than `at_least`); a missing
        file is due now."""
        oldest = self._oldest_mtime()
        due = 0.0 if oldest is None else oldest + PERIOD_SECONDS - self._clock()
        return max(at_least, due)

    async def run_forever(self) -> None:
        delay = self.delay(at_least=0.0)
        while True:
            if delay > 0:
                await self._sleep(delay)
            await self.run_once()
            delay = self.delay(at_least=RETRY_SECONDS)

    async def run_once(self) -> None:
        """One run; whatever goes wrong is logged, and the server carries on."""
        try:
            summary = await self._warm()
        except Exception:
            log.exception("trending: the scheduled run failed")
            return
        problems = failed(summary)
        if problems:
            log.warning(
                "trending: %d of %d lists failed: %s",
                len(problems),
                len(summary),
                ", ".join(problems),
            )
