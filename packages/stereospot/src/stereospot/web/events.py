"""Live job progress as server-sent events.

A stream polls asynchronously: a short `detail` call on the thread pool, then an
`anyio.sleep` on the event loop, so an open stream holds no thread between polls (a
thread per waiting stream would let one user with a few dozen streams starve every other
route of the shared pool). When the client leaves, Starlette cancels the stream and the
sleep ends with it. A user has at most MAX_STREAMS_PER_USER open at once; one more is 429.

Events: `progress` (the job's detail as JSON) whenever its version grows, a comment as a
keep-alive between, and `end` once the job is completed, failed, cancelled or deleted.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread
from fastapi import HTTPException
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from stereospot.errors import NotFound
from stereospot.jobs.models import FINISHED
from stereospot.web.deps import Web
from stereospot.web.schemas import detail_json

KEEPALIVE_SECONDS = 10.0
RETRY_MS = 3000
MAX_STREAMS_PER_USER = 8


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(web: Web, user: str, job_id: str, after: int) -> AsyncIterator[str]:
    poll = web.service.settings.poll_seconds
    version = after
    yield f"retry: {RETRY_MS}\n\n"
    try:
        detail = await anyio.to_thread.run_sync(web.service.detail, user, job_id)
        said = time.monotonic()
        while True:
            if detail.job.version > version:
                version = detail.job.version
                said = time.monotonic()
                yield _event("progress", detail_json(detail))
            if detail.job.status in FINISHED:
                yield _event("end", {"status": str(detail.job.status)})
                return
            if time.monotonic() - said >= KEEPALIVE_SECONDS:
                said = time.monotonic()
                yield ": keep-alive\n\n"
            await anyio.sleep(poll)
            detail = await anyio.to_thread.run_sync(web.service.detail, user, job_id)
    except NotFound:
        yield _event("end", {"deleted": True})


class _CountedStream(StreamingResponse):
    """Gives the user's stream slot back however the response ends (finished, the
    client gone, cancelled before its first byte)."""

    def __init__(self, web: Web, user: str, content: AsyncIterator[str]) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            # no-transform and X-Accel-Buffering: proxies must pass each event on at once.
            headers={"cache-control": "no-store, no-transform", "x-accel-buffering": "no"},
        )
        self._web, self._user = web, user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            _release(self._web, self._user)


def _release(web: Web, user: str) -> None:
    left = web.streams.get(user, 0) - 1
    if left > 0:
        web.streams[user] = left
    else:
        web.streams.pop(user, None)


def stream(web: Web, user: str, job_id: str, after: int) -> StreamingResponse:
    # Counted on the event loop only, so no lock is needed.
    if web.streams.get(user, 0) >= MAX_STREAMS_PER_USER:
        raise HTTPException(429, f"at most {MAX_STREAMS_PER_USER} live progress streams at once")
    web.streams[user] = web.streams.get(user, 0) + 1
    return _CountedStream(web, user, _events(web, user, job_id, after))
