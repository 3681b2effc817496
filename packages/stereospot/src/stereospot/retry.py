"""The retry policy, a pure object: how long a failed message stays hidden before its next
delivery. The queue's receive count is the attempt number; the dead-letter queue, not this
policy, decides when to give up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base: float = 5.0
    ceiling: float = 300.0

    def delay(self, receive_count: int) -> float:
        """Seconds before delivery number `receive_count + 1`: base, 2·base, 4·base, ..."""
        return float(min(self.ceiling, self.base * 2.0 ** max(receive_count - 1, 0)))
