"""Work a response need not wait for, such as telling ntfy about a new request.

`stellarr serve` runs it as tracked tasks, so a slow notification channel never holds up
the answer, and closing waits a little for them before cancelling. On Lambda nothing may
outlive the response (the instance is frozen after it), so the work runs inline there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

# How long closing waits for work still running; notification channels are capped at 10 s.
DRAIN_SECONDS = 12.0


class Background:
    def __init__(self, *, detached: bool) -> None:
        self.detached = detached
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Start `work`; inline mode returns when it is done, detached mode at once."""
        if not self.detached:
            await work
            return
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def drain(self, grace: float = DRAIN_SECONDS) -> None:
        """Give running work `grace` seconds, then cancel what is left."""
        if not self._tasks:
            return
        pending = set(self._tasks)
        _, late = await asyncio.wait(pending, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
