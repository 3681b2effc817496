"""Which workers make up each role, and how a process runs them.

- media: chunking, reassembly, and the three dead-letter queues;
- video: `count` workers on the video-worker queue;
- reconciler: one periodic pass over stalled jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from stereospot.jobs.limits import Limits, expire_abandoned_uploads
from stereospot.logs import event
from stereospot.ports import Message, QueuePair
from stereospot.workers.chunker import handle_chunking
from stereospot.workers.context import Context
from stereospot.workers.dead_letters import chunking_failed, handle_dead
from stereospot.workers.reassembler import handle_reassembly, reassembly_failed
from stereospot.workers.reconciler import reconcile_once
from stereospot.workers.runtime import Heartbeat, Worker
from stereospot.workers.video import handle_segment, segment_failed

ROLES = ("media", "video", "reconciler")
log = logging.getLogger("stereospot.worker")


class Runnable(Protocol):
    name: str

    def step(self, wait: float = 0) -> bool: ...

    def run(self, stop: threading.Event, drain: bool = False) -> None: ...


@dataclass
class Reconciler:
    ctx: Context
    name: str = "reconciler"

    def step(self, wait: float = 0) -> bool:
        redriven = reconcile_once(self.ctx)
        # The same periodic pass aborts uploads abandoned for longer than the expiry.
        limits = Limits.from_settings(self.ctx.settings)
        expired = expire_abandoned_uploads(self.ctx.backend.objects, limits, self.ctx.clock())
        return redriven + expired > 0

    def run(self, stop: threading.Event, drain: bool = False) -> None:
        # A pass every tenth of the stall timeout (at most a minute) finds a stall soon.
        interval = min(60.0, self.ctx.settings.stall_seconds / 10)
        while not stop.is_set():
            self.step()
            if drain:
                return
            stop.wait(interval)


Handle = Callable[[Context, Message, Heartbeat], None]
Hook = Callable[[Context, Message, Exception], None]


def _worker(
    ctx: Context,
    name: str,
    pair: QueuePair,
    handle: Handle,
    hook: Hook | None = None,
    dead: bool = False,
) -> Worker:
    return Worker(
        name=name,
        queue=pair.dead if dead else pair.main,
        handle=partial(handle, ctx),
        on_error=partial(hook, ctx) if hook else None,
        visibility=ctx.settings.visibility_timeout,
        clock=ctx.clock,
        policy=ctx.policy,
        poll=ctx.settings.poll_seconds,
        # A hung handler must not pin its message for ever: past this its heartbeat stops
        # and the message comes back (the inference call itself gives up after one timeout).
        max_handler_seconds=2 * ctx.settings.inference_timeout,
    )


def workers(ctx: Context, role: str, count: int = 1) -> list[Runnable]:
    q = ctx.backend.queues
    if role == "media":
        return [
            _worker(ctx, "chunker", q.chunking, handle_chunking, chunking_failed),
            _worker(ctx, "reassembler", q.reassembly, handle_reassembly, reassembly_failed),
            _worker(ctx, "dead-chunking", q.chunking, handle_dead("chunking"), dead=True),
            _worker(ctx, "dead-video", q.video, handle_dead("video"), dead=True),
            _worker(ctx, "dead-reassembly", q.reassembly, handle_dead("reassembly"), dead=True),
        ]
    if role == "video":
        return [
            _worker(ctx, f"video-{n}", q.video, handle_segment, segment_failed)
            for n in range(count)
        ]
    if role == "reconciler":
        return [Reconciler(ctx)]
    raise ValueError(f"no role {role!r}; roles are {', '.join(ROLES)}")


ALIVE_INTERVAL = 10.0  # seconds between touches of the alive file


def run_threads(
    runnables: Sequence[Runnable], stop: threading.Event, alive_file: Path | None = None
) -> int:
    """Run each in its own thread until `stop` is set. If one dies, stop them all and
    return 1, so the process exits non-zero and is restarted; 0 after a clean stop.
    `alive_file` is touched every ALIVE_INTERVAL while all of them run."""
    died: list[str] = []

    def guard(runnable: Runnable) -> None:
        try:
            runnable.run(stop)
        except BaseException as exc:
            died.append(runnable.name)
            event(log, "worker died", level=logging.ERROR, worker=runnable.name, error=repr(exc))
            stop.set()

    threads = [
        threading.Thread(target=guard, args=(r,), name=r.name, daemon=True) for r in runnables
    ]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        if alive_file is not None:
            alive_file.touch()
        stop.wait(ALIVE_INTERVAL)
    for thread in threads:
        thread.join()
    return 1 if died else 0


def drain(runnables: Sequence[Runnable], rounds: int = 10_000) -> int:
    """Step every worker, one message at a time, until a full pass finds nothing;
    returns the messages processed. Deterministic: one thread, a fixed order."""
    total = 0
    for _ in range(rounds):
        moved = 0
        for runnable in runnables:
            if isinstance(runnable, Reconciler):
                continue
            while runnable.step(0):
                moved += 1
        total += moved
        if not moved:
            return total
    raise RuntimeError("the pipeline did not settle")
