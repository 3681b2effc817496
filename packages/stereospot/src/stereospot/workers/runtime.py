"""One worker: a loop over one queue, calling one handler per message.

- The message is deleted only after its handler returns; if the handler raises, the message
  is hidden for the retry policy's delay and comes back (the dead-letter queue takes it
  after the queue's max receive count). `Unconvertible` (the source itself can never
  convert) is the exception: once the error hook has recorded it, the message is deleted,
  so the job fails at once instead of after every redelivery.
- While a handler runs, a heartbeat keeps the message hidden: a thread extends it every
  third of the visibility timeout, and progress callbacks extend it too (by the injected
  clock, which is how tests exercise it without waiting). After `max_handler_seconds` it
  stops, so a handler that hangs lets its message come back to another worker.
- Drain mode processes until the queue is empty, then returns (deterministic tests).
- A handler error is the message's problem; anything else (the queue itself failing
  repeatedly, a BaseException) ends the loop by raising, so the process exits non-zero and
  its supervisor restarts it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stereospot.errors import StoreError
from stereospot.logs import event
from stereospot.media.admission import Unconvertible
from stereospot.ports import Message, Queue
from stereospot.retry import RetryPolicy

log = logging.getLogger("stereospot.worker")
Clock = Callable[[], float]


class Heartbeat:
    def __init__(
        self,
        queue: Queue,
        receipt: str,
        visibility: float,
        clock: Clock,
        max_seconds: float | None = None,
    ) -> None:
        self.queue, self.receipt, self.visibility, self.clock = queue, receipt, visibility, clock
        self.interval = visibility / 3
        self._last = self._started = clock()
        self._until = None if max_seconds is None else self._started + max_seconds
        self.expired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        """Extend the message's visibility if a third of it has passed since the last."""
        if self.clock() - self._last >= self.interval:
            self._extend()

    def _extend(self) -> None:
        self._last = self.clock()
        if self._until is not None and self._last >= self._until:
            if not self.expired:
                self.expired = True
                event(
                    log,
                    "handler ran too long; its message is no longer extended",
                    level=logging.WARNING,
                    queue=self.queue.name,
                    seconds=round(self._last - self._started),
                )
            return
        try:
            self.queue.extend(self.receipt, self.visibility)
        except StoreError as exc:  # the next beat tries again; the loop must not die here
            event(
                log,
                "heartbeat failed",
                level=logging.WARNING,
                queue=self.queue.name,
                error=str(exc),
            )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._extend()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


Handler = Callable[[Message, Heartbeat], None]
ErrorHook = Callable[[Message, Exception], None]


@dataclass
class Worker:
    name: str
    queue: Queue
    handle: Handler
    visibility: float
    clock: Clock = time.time
    on_error: ErrorHook | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    poll: float = 1.0
    max_queue_errors: int = 5
    max_handler_seconds: float | None = None

    def process(self, message: Message) -> None:
        started = time.monotonic()
        fields: dict[str, Any] = {
            "worker": self.name,
            "message": message.message_id,
            "receives": message.receive_count,
        }
        try:
            with Heartbeat(
                self.queue, message.receipt, self.visibility, self.clock, self.max_handler_seconds
            ) as heartbeat:
                self.handle(message, heartbeat)
        except Exception as exc:
            final = isinstance(exc, Unconvertible)  # the same bytes fail the same way again
            delay = self.policy.delay(message.receive_count)
            event(
                log,
                "message refused" if final else "message failed",
                level=logging.WARNING,
                **fields,
                error=str(exc),
                retry_in=None if final else delay,
            )
            recorded = True
            if self.on_error is not None:
                try:
                    self.on_error(message, exc)
                except Exception as hook_error:
                    recorded = False
                    event(
                        log,
                        "error hook failed",
                        level=logging.WARNING,
                        **fields,
                        error=str(hook_error),
                    )
            if final and recorded:
                self.queue.delete(message.receipt)
            else:
                # An unrecorded refusal comes back too, so its job does not stay active.
                self.queue.extend(message.receipt, delay)
            return
        self.queue.delete(message.receipt)
        event(log, "message done", **fields, seconds=round(time.monotonic() - started, 3))

    def step(self, wait: float = 0) -> bool:
        """Receive and process at most one message; True when there was one."""
        messages = self.queue.receive(1, wait)
        for message in messages:
            self.process(message)
        return bool(messages)

    def run(self, stop: threading.Event, drain: bool = False) -> None:
        errors = 0
        event(log, "worker started", worker=self.name, queue=self.queue.name)
        while not stop.is_set():
            try:
                got = self.step(0 if drain else self.poll)
                errors = 0
            except StoreError as exc:
                errors += 1
                event(
                    log,
                    "queue error",
                    level=logging.ERROR,
                    worker=self.name,
                    error=str(exc),
                    count=errors,
                )
                if errors >= self.max_queue_errors:
                    raise
                stop.wait(min(30.0, 2.0**errors))
                continue
            if drain and not got:
                return
