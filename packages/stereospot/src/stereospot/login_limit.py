"""The login limit, a pure policy with an injected clock: how many failed logins a client
may make in a window, and how long it waits once it has made them.

Each try takes a slot before the token is checked, so parallel guesses each use one and no
more than `max_failures` are ever checked; a right token gives its own slot back. Earlier
failures stay counted until their window ends: knowing one user's token buys no extra
guesses at another's. The window starts at a client's first failure and is not extended by
the tries refused while it is full, so the wait always ends.

Counts live in this process's memory, bounded to `tracked` clients (the least recently
seen is forgotten first): N web processes allow N times the tries.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Window:
    count: int
    ends: float


class LoginLimiter:
    def __init__(
        self,
        max_failures: int = 5,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        tracked: int = 10_000,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0 or tracked < 1:
            raise ValueError("a login limit needs at least one try, a window and a client")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._tracked = tracked
        self._windows: OrderedDict[str, _Window] = OrderedDict()

    def attempt(self, client: str) -> int | None:
        """Take a slot for one try: None when the client may try (the slot counts as a
        failure until `succeeded` gives it back), else the whole seconds to wait."""
        now = self._clock()
        window = self._windows.pop(client, None)
        if window is None or window.ends <= now:
            window = _Window(0, now + self.window_seconds)
        self._windows[client] = window  # most recently seen last
        while len(self._windows) > self._tracked:
            self._windows.popitem(last=False)
        if window.count >= self.max_failures:
            return max(1, math.ceil(window.ends - now))
        window.count += 1
        return None

    def succeeded(self, client: str) -> None:
        """The try that took a slot was right: give that one slot back."""
        window = self._windows.get(client)
        if window is not None and window.count > 0:
            window.count -= 1

    def failures(self, client: str) -> int:
        """Failures counted against the client in its current window."""
        window = self._windows.get(client)
        return window.count if window is not None and window.ends > self._clock() else 0
