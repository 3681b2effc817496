"""The one retry loop every client uses (TMDB, AWS, DynamoDB transactions and batches).

The policy is a pure object that returns a decision; the loop asks it, and the attempt says
what failed and whether that is worth another try by raising `Retryable`. Sleep is injected,
so tests assert exact back-off delays without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from time import time
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: bool = True
    # None: the process-wide generator, so one reseed (after a SnapStart restore) covers
    # every policy; tests pass their own seeded one.
    rng: random.Random | None = field(default=None, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based), or None to give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # Full jitter spreads retries from many clients instead of synchronising them.
        spread = random.uniform if self.rng is None else self.rng.uniform
        return spread(0, ceiling) if self.jitter else ceiling


class Retryable(Exception):
    """Raised by an attempt that may succeed if tried again; `error` is what the caller
    sees once the policy gives up."""

    def __init__(self, error: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run `attempt` until it returns, raises something other than Retryable, or the
    policy gives up (then the last Retryable's error is raised)."""
    number = 0
    while True:
        number += 1
        try:
            return await attempt()
        except Retryable as failed:
            delay = policy.delay(number, failed.retry_after)
            if delay is None:
                raise failed.error from None
            log.info("%s failed (%s, attempt %d); retrying in %.2fs", what, failed, number, delay)
            await sleep(delay)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time() if now is None else now))
