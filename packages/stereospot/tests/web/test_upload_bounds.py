"""Uploads under hostile use, through the API: starts that replace instead of piling up,
limits answered 413 / 429 / 507 with what was exceeded, and completions sent eight at
once that assemble once and all answer like a repeat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path

import httpx
import pytest

from stereospot.bootstrap import App
from stereospot.local.objects import FolderObjectStore
from stereospot.web.app import create_app
from stereospot_testing.backends import make_harness
from stereospot_testing.faults import leftovers
from stereospot_testing.pipeline import make_app
from stereospot_testing.web_client import USERS, Browser, browser_as

from .conftest import Site


async def create(browser: Browser, name: str = "a.mp4") -> str:
    job = await browser.client.post("/api/jobs", json={"filename": name}, headers=browser.writes)
    assert job.status_code == 201, job.text
    return str(job.json()["job_id"])


async def start(browser: Browser, job_id: str) -> str:
    started = await browser.client.post(f"/api/jobs/{job_id}/uploads", headers=browser.writes)
    assert started.status_code == 201, started.text
    return f"/api/jobs/{job_id}/uploads/{started.json()['upload_id']}"


def upload_folders(site: Site) -> list[Path]:
    store = site.app.backend.objects
    assert isinstance(store, FolderObjectStore)
    return [p for p in (store.root / ".uploads").rglob("*") if p.parent.name.endswith("~")
            and p.is_dir()]  # fmt: skip


async def test_starting_again_replaces_the_open_upload(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        job_id = await create(ann)
        first = await start(ann, job_id)
        put = await ann.client.put(f"{first}/parts/1", content=b"x" * 1000, headers=ann.writes)
        assert put.status_code == 200
        starts = await asyncio.gather(*(start(ann, job_id) for _ in range(50)))
        assert len(upload_folders(site)) == 1  # not 51: each start replaced the one before
        (last,) = {u for u in starts if u.split("/")[-1] in {p.name for p in upload_folders(site)}}
        stale = await ann.client.put(f"{first}/parts/2", content=b"y", headers=ann.writes)
        assert stale.status_code == 404 and stale.json() == {"detail": "no such upload"}
        fresh = await ann.client.put(f"{last}/parts/1", content=b"z", headers=ann.writes)
        assert fresh.status_code == 200


@pytest.fixture
def limited(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    harness = make_harness(
        "local", tmp_path, request,
        max_upload_bytes=3000, max_stored_bytes=5000, max_active_jobs=2,
    )  # fmt: skip
    app: App = make_app(harness)
    app.service.part_size = 1024
    try:
        yield Site(harness, app, create_app(app.service, users=USERS))
    finally:
        app.close()


async def test_limits_are_clear_answers(limited: Site) -> None:
    async with browser_as(limited.web, "ann") as ann:
        job_id = await create(ann)
        upload = await start(ann, job_id)
        past = await ann.client.put(f"{upload}/parts/4", content=b"x", headers=ann.writes)
        assert past.status_code == 413
        assert past.json() == {
            "detail": "an upload holds at most 2.9 KiB (3 parts of 1 KiB); part 4 is past it"
        }
        pulled = 0

        async def streamed() -> AsyncIterator[bytes]:
            nonlocal pulled
            for _ in range(4):
                pulled += 1
                yield b"x" * 256

        unread = await ann.client.put(f"{upload}/parts/4", content=streamed(), headers=ann.writes)
        assert unread.status_code == 413 and pulled == 0  # refused before it was read
        url = await ann.client.get(f"{upload}/parts/4/url", params={"size": 1})
        assert url.status_code == 413
        big = await ann.client.get(f"{upload}/parts/1/url", params={"size": 1025})
        assert big.status_code == 413
        for number in (1, 2, 3):
            put = await ann.client.put(
                f"{upload}/parts/{number}", content=b"x" * 1024, headers=ann.writes
            )
            assert put.status_code == 200
        done = await ann.client.post(f"{upload}/complete", json={}, headers=ann.writes)
        assert done.status_code == 413 and "the file is 3 KiB" in done.json()["detail"]
        # Its parts were deleted: the job waits for an upload that fits.
        other = await create(ann, "b.mp4")
        too_many = await ann.client.post(
            "/api/jobs", json={"filename": "c.mp4"}, headers=ann.writes
        )
        assert too_many.status_code == 429
        assert too_many.json() == {
            "detail": "you have 2 jobs in progress, the most at once; wait for one to "
            "finish, or cancel or delete one"
        }
        second = await start(ann, other)
        first = await start(ann, job_id)
        for number in (1, 2):
            for upload in (first, second):
                await ann.client.put(
                    f"{upload}/parts/{number}", content=b"x" * 1024, headers=ann.writes
                )
        quota = await ann.client.put(f"{first}/parts/3", content=b"x" * 1000, headers=ann.writes)
        assert quota.status_code == 507
        assert quota.json() == {
            "detail": "your jobs take 4 KiB of the 4.9 KiB you may store; delete finished "
            "jobs to make room"
        }
        deleted = await ann.client.delete(f"/api/jobs/{other}", headers=ann.writes)
        assert deleted.status_code == 204
        fits = await ann.client.put(f"{first}/parts/3", content=b"x" * 1000, headers=ann.writes)
        assert fits.status_code == 200


async def test_completions_sent_at_once_assemble_once_and_answer_alike(site: Site) -> None:
    chunking = site.app.backend.queues.chunking.main
    store = site.app.backend.objects
    assert isinstance(store, FolderObjectStore)
    site.app.service.part_size = 4096
    async with browser_as(site.web, "ann") as ann:
        for _ in range(5):  # rounds
            job_id = await create(ann)
            upload = await start(ann, job_id)
            parts = []
            for number in (1, 2, 3):
                put = await ann.client.put(
                    f"{upload}/parts/{number}", content=bytes([number]) * 4096,
                    headers=ann.writes,
                )  # fmt: skip
                parts.append(put.json())
            waiting = chunking.depth()

            def complete() -> Awaitable[httpx.Response]:
                return ann.client.post(
                    f"{upload}/complete", json={"parts": parts}, headers=ann.writes
                )

            answers = await asyncio.gather(*(complete() for _ in range(8)))
            repeat = await complete()
            assert repeat.status_code == 200 and repeat.json()["status"] == "queued"
            assert [(a.status_code, a.json()) for a in answers] == [(200, repeat.json())] * 8
            assert chunking.depth() == waiting + 1  # assembled and announced once
            assert leftovers(store.root) == []
            # Nothing of the upload is left, not even its key's lock or folders.
            assert list((store.root / ".uploads" / "input").iterdir()) == []
            cancel = await ann.client.post(f"/api/jobs/{job_id}/cancel", headers=ann.writes)
            assert cancel.status_code == 200
