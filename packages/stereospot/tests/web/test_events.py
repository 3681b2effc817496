"""Live progress as server-sent events: progress events while the job runs, then `end`;
the stream ends, and its polling thread with it, as soon as the client leaves."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from stereospot.service import JobService
from stereospot_testing.pipeline import submit
from stereospot_testing.web_client import COOKIE_HEADER, browser_as, session_cookie

from .conftest import Site


def parse(stream: str) -> list[tuple[str, Any]]:
    events = []
    for block in stream.split("\n\n"):
        lines = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_the_stream_yields_progress_then_ends(site: Site, clip: Path) -> None:
    job = submit(site.app, clip)  # uploaded and queued; no worker has run yet
    worker = threading.Timer(0.3, site.app.drain)
    async with browser_as(site.web, "ann") as ann:
        worker.start()
        # The stream must end by itself once the job finishes; the bound only turns a
        # stream that never ends into a failure instead of a hung suite.
        response = await asyncio.wait_for(
            ann.client.get(f"/api/jobs/{job.job_id}/events", params={"after": 0}), 120
        )
        worker.join()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("retry: 3000\n\n")
    events = parse(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "end" and events[-1][1] == {"status": "completed"}
    progress = [data for name, data in events if name == "progress"]
    assert len(progress) >= 2, names  # the queued state first, then what the workers did
    assert progress[0]["status"] == "queued" and progress[-1]["status"] == "completed"
    versions = [p["version"] for p in progress]
    assert versions == sorted(set(versions))
    percents = [p["progress"] for p in progress]
    assert percents == sorted(percents) and percents[-1] == 100
    assert {s["status"] for s in progress[-1]["segments"]} == {"done"}


async def test_a_finished_or_deleted_job_ends_the_stream_at_once(site: Site, clip: Path) -> None:
    job = site.finished_job(clip)
    async with browser_as(site.web, "ann") as ann:
        url = f"/api/jobs/{job.job_id}/events"
        current = (await ann.client.get(f"/api/jobs/{job.job_id}")).json()["version"]
        events = parse((await ann.client.get(url, params={"after": current})).text)
        assert [name for name, _ in events] == ["end"]
        events = parse((await ann.client.get(url)).text)
        assert [name for name, _ in events] == ["progress", "end"]
        site.app.service.delete("ann", job.job_id)
        assert (await ann.client.get(url)).status_code == 404


class RawStream:
    """A progress stream over raw ASGI, open until `leave()`: the test client would wait
    for the whole body."""

    def __init__(self, site: Site, cookie: bytes, job_id: str) -> None:
        self.sent: list[dict[str, Any]] = []
        self.answered = asyncio.Event()  # the status, and for a 200 its first event
        self._left = asyncio.Event()
        self._asked = False
        path = f"/api/jobs/{job_id}/events"
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": b"after=0", "root_path": "",
            "headers": [(b"host", b"testserver"), (COOKIE_HEADER, cookie)],
            "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
        }  # fmt: skip
        self.task = asyncio.create_task(site.web(scope, self._receive, self._send))

    async def _receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._left.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if message["type"] == "http.response.start" and message["status"] != 200:
            self.answered.set()
        if b"event: progress" in message.get("body", b""):
            self.answered.set()

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    def leave(self) -> None:
        self._left.set()


async def open_streams(site: Site, cookie: bytes, job_id: str, count: int) -> list[RawStream]:
    streams = [RawStream(site, cookie, job_id) for _ in range(count)]
    await asyncio.wait_for(asyncio.gather(*(s.answered.wait() for s in streams)), timeout=60)
    return streams


async def close_streams(streams: list[RawStream]) -> None:
    for one in streams:
        one.leave()
    await asyncio.wait_for(asyncio.gather(*(s.task for s in streams)), timeout=60)


async def test_the_stream_ends_when_the_client_leaves(site: Site) -> None:
    """The client disconnects while the stream waits on a job that never moves: the
    stream ends and stops asking the store."""
    asked = 0
    original = JobService.detail

    def counted(self: JobService, *args: Any, **kwargs: Any) -> Any:
        nonlocal asked
        asked += 1
        return original(self, *args, **kwargs)

    job = site.app.service.create_job("ann", "idle.mp4", {})
    async with browser_as(site.web, "ann") as ann:
        cookie = session_cookie(ann)
    JobService.detail = counted  # type: ignore[method-assign]
    try:
        (one,) = await open_streams(site, cookie, job.job_id, 1)
        while asked < 3:  # noqa: ASYNC110 - polling now, between two sleeps
            await asyncio.sleep(0.01)
        await close_streams([one])  # a bound on a hang, not a measure of speed
        after = asked
        await asyncio.sleep(10 * site.app.settings.poll_seconds)
    finally:
        JobService.detail = original  # type: ignore[method-assign]
    assert one.status == 200
    assert asked == after  # nothing polls for a reader that has gone


async def test_open_streams_hold_no_thread(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """60 streams (more than the thread pool's 40) of one user waiting on a job that never
    moves: another user's request still completes while they are open."""
    from stereospot.web import events

    monkeypatch.setattr(events, "MAX_STREAMS_PER_USER", 100, raising=False)
    monkeypatch.setattr(events, "KEEPALIVE_SECONDS", 3600.0)  # a thread per wait: a hang
    job = site.app.service.create_job("ann", "idle.mp4", {})
    site.app.service.create_job("bob", "mine.mp4", {})
    async with browser_as(site.web, "ann") as ann:
        cookie = session_cookie(ann)
    streams = await open_streams(site, cookie, job.job_id, 60)
    try:
        assert {s.status for s in streams} == {200}

        async def bobs_list() -> Any:
            async with browser_as(site.web, "bob") as bob:
                return await bob.client.get("/api/jobs")

        # The timeout only bounds a stall of the thread pool; speed is not measured.
        response = await asyncio.wait_for(bobs_list(), timeout=30)
        assert response.status_code == 200
        assert [j["filename"] for j in response.json()["in_progress"]] == ["mine.mp4"]
        assert not any(s.task.done() for s in streams)  # all still open meanwhile
    finally:
        await close_streams(streams)


async def test_a_user_has_at_most_8_streams(site: Site) -> None:
    ann_job = site.app.service.create_job("ann", "idle.mp4", {})
    bob_job = site.app.service.create_job("bob", "idle.mp4", {})
    async with browser_as(site.web, "ann") as ann, browser_as(site.web, "bob") as bob:
        ann_cookie, bob_cookie = session_cookie(ann), session_cookie(bob)
    streams = await open_streams(site, ann_cookie, ann_job.job_id, 8)
    try:
        assert {s.status for s in streams} == {200}
        (ninth,) = await open_streams(site, ann_cookie, ann_job.job_id, 1)
        await asyncio.wait_for(ninth.task, timeout=60)
        assert ninth.status == 429
        (bobs,) = await open_streams(site, bob_cookie, bob_job.job_id, 1)
        streams.append(bobs)
        assert bobs.status == 200  # the cap is per user
        await close_streams([streams.pop(0)])
        (again,) = await open_streams(site, ann_cookie, ann_job.job_id, 1)
        streams.append(again)
        assert again.status == 200  # a closed stream gives its slot back
    finally:
        await close_streams(streams)
