"""Concurrent stages joined by bounded queues: decode, batched depth, render, encode.

Each stage is a thread; PyAV (decode, swscale, x264) and NumPy's large array operations
release the GIL, so the stages overlap on separate cores. Bounded queues keep memory flat
(a few batches in flight, never the film) and let the slowest stage set the pace. The
first error in any stage stops all of them and is re-raised to the caller.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
END: Any = object()  # closes a queue: its consumers stop iterating


class Stopped(Exception):
    """Raised inside a stage when another stage failed."""


class Stages:
    """Runs producer and worker threads; collects the first failure and per-stage busy time."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.busy: dict[str, float] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def channel(self, size: int) -> queue.Queue[Any]:
        return queue.Queue(maxsize=size)

    def put(self, q: queue.Queue[Any], item: Any) -> None:
        while not self.stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise Stopped

    def items(self, q: queue.Queue[Any]) -> Iterator[Any]:
        """What a queue yields until its producer ends it (or a stage fails)."""
        while True:
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                if self.stop.is_set():
                    raise Stopped from None
                continue
            if item is END:
                return
            yield item

    def add_time(self, name: str, seconds: float) -> None:
        with self._lock:
            self.busy[name] = self.busy.get(name, 0.0) + seconds

    def timed(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """Iterate `items`, counting the time spent producing each one as `name`'s."""
        iterator = iter(items)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.add_time(name, time.perf_counter() - start)
                return
            self.add_time(name, time.perf_counter() - start)
            yield item

    def spawn(self, name: str, body: Callable[[], None], out: queue.Queue[Any] | None) -> None:
        def run() -> None:
            try:
                body()
                if out is not None:
                    self.put(out, END)
            except Stopped:
                pass
            except BaseException as exc:  # handed to the caller by join()
                with self._lock:
                    if self.error is None:
                        self.error = exc
                self.stop.set()

        thread = threading.Thread(target=run, name=f"stereospot-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def fail(self, exc: BaseException) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc
        self.stop.set()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error
