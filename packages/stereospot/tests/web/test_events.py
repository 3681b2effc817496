"""Live progress as server-sent events: progress events while the job runs, then `end`;
the stream ends, and its polling thread with it, as soon as the client leaves."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

from stereospot.jobs.service import JobService
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
        started = time.monotonic()
        response = await ann.client.get(f"/api/jobs/{job.job_id}/events", params={"after": 0})
        worker.join()
    assert time.monotonic() - started < 30
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


async def test_the_stream_ends_when_the_client_leaves(site: Site) -> None:
    """Raw ASGI: the client disconnects after the first event of a job that never moves."""
    waits: list[threading.Thread] = []
    polling = 0
    original = JobService.wait_for_change

    def counted(self: JobService, *args: Any, **kwargs: Any) -> Any:
        nonlocal polling
        waits.append(threading.current_thread())
        polling += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            polling -= 1

    job = site.app.service.create_job("ann", "idle.mp4", {})
    async with browser_as(site.web, "ann") as ann:
        cookie = session_cookie(ann)
    sent: list[dict[str, Any]] = []
    left = asyncio.Event()
    first_event = asyncio.Event()

    asked: list[bool] = []

    async def receive() -> dict[str, Any]:
        if not asked:
            asked.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await first_event.wait()
        await asyncio.sleep(0.3)  # the stream is waiting for the next change by now
        left.set()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if b"event: progress" in message.get("body", b""):
            first_event.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": f"/api/jobs/{job.job_id}/events",
        "raw_path": f"/api/jobs/{job.job_id}/events".encode(), "query_string": b"after=0",
        "root_path": "", "headers": [(b"host", b"testserver"), (COOKIE_HEADER, cookie)],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    JobService.wait_for_change = counted  # type: ignore[method-assign]
    try:
        started = time.monotonic()
        await asyncio.wait_for(site.web(scope, receive, send), timeout=5)
        elapsed = time.monotonic() - started
    finally:
        JobService.wait_for_change = original  # type: ignore[method-assign]
    assert left.is_set() and elapsed < 5  # well before the 10 s keep-alive
    assert sent[0]["status"] == 200
    assert len(waits) == 1  # the stream was waiting for the next change when the client left
    # ... and was told to stop rather than left polling until its 10 s keep-alive.
    deadline = time.monotonic() + 2
    while polling and time.monotonic() < deadline:  # noqa: ASYNC110 - a thread's counter
        await asyncio.sleep(0.05)
    assert polling == 0
