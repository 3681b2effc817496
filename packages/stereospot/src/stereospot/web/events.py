"""Live job progress as server-sent events.

`JobService.wait_for_change` blocks (it polls the store), so each wait runs on a worker
thread. Its sleep is an Event wait: when the client leaves, Starlette cancels the stream,
the `finally` sets the event, and the thread's next sleep ends the wait at once, so no
thread keeps polling for a reader that has gone.

Events: `progress` (the job's detail as JSON) whenever its version grows, a comment as a
keep-alive between, and `end` once the job is completed, failed, cancelled or deleted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable
from functools import partial

import anyio.to_thread
from starlette.responses import StreamingResponse

from stereospot.errors import NotFound
from stereospot.jobs.models import FINISHED
from stereospot.web.deps import Web
from stereospot.web.schemas import detail_json

KEEPALIVE_SECONDS = 10.0
RETRY_MS = 3000


class _Gone(Exception):
    """The client left: ends a wait that is still polling."""


def _sleeper(stop: threading.Event) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise _Gone

    return sleep


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(web: Web, user: str, job_id: str, after: int) -> AsyncIterator[str]:
    stop = threading.Event()
    version = after
    try:
        yield f"retry: {RETRY_MS}\n\n"
        try:
            detail = await anyio.to_thread.run_sync(web.service.detail, user, job_id)
            while True:
                if detail.job.version > version:
                    version = detail.job.version
                    yield _event("progress", detail_json(detail))
                if detail.job.status in FINISHED:
                    yield _event("end", {"status": str(detail.job.status)})
                    return
                wait = partial(
                    web.service.wait_for_change, user, job_id, version,
                    timeout=KEEPALIVE_SECONDS, sleep=_sleeper(stop),
                )  # fmt: skip
                detail = await anyio.to_thread.run_sync(wait, abandon_on_cancel=True)
                if detail.job.version <= version:
                    yield ": keep-alive\n\n"
        except NotFound:
            yield _event("end", {"deleted": True})
    except _Gone:
        return
    finally:
        stop.set()


def stream(web: Web, user: str, job_id: str, after: int) -> StreamingResponse:
    return StreamingResponse(
        _events(web, user, job_id, after),
        media_type="text/event-stream",
        # no-transform and X-Accel-Buffering: proxies must pass each event on at once.
        headers={"cache-control": "no-store, no-transform", "x-accel-buffering": "no"},
    )
