"""A full disk through the API, made by the folder store's writer failing as a full disk
does (ENOSPC part-way): 507 with a clear message and nothing partial left, and everything
working again once there is room. test_full_tmpfs.py does it for real."""

from __future__ import annotations

from stereospot.local.disk import copy_all, write_all
from stereospot.local.objects import FolderObjectStore
from stereospot.web.errors import STORAGE_FULL
from stereospot_testing.faults import leftovers, no_room_after, no_room_to_copy
from stereospot_testing.web_client import Browser, browser_as

from .conftest import Site


async def new_upload(browser: Browser) -> tuple[str, str]:
    """(job id, the upload's base URL) of a new job with its upload started."""
    job = await browser.client.post("/api/jobs", json={"filename": "a.mp4"}, headers=browser.writes)
    assert job.status_code == 201, job.text
    job_id = job.json()["job_id"]
    base = f"/api/jobs/{job_id}/uploads"
    started = await browser.client.post(base, headers=browser.writes)
    assert started.status_code == 201, started.text
    return job_id, f"{base}/{started.json()['upload_id']}"


async def test_writes_that_do_not_fit_are_507_and_leave_nothing(site: Site) -> None:
    store = site.app.backend.objects
    assert isinstance(store, FolderObjectStore)
    site.app.service.part_size = 4096
    async with browser_as(site.web, "ann") as ann:
        job_id, upload = await new_upload(ann)
        one = await ann.client.put(f"{upload}/parts/1", content=b"1" * 4096, headers=ann.writes)
        assert one.status_code == 200
        store.disk.write = no_room_after(1000)
        part = await ann.client.put(f"{upload}/parts/5", content=b"5" * 4096, headers=ann.writes)
        again = await ann.client.post(f"/api/jobs/{job_id}/uploads", headers=ann.writes)
        for answer in (part, again):
            assert answer.status_code == 507
            assert answer.json() == {"detail": STORAGE_FULL}
        assert leftovers(store.root) == []
        store.disk.write = write_all
        store.disk.copy = no_room_to_copy
        two = await ann.client.put(f"{upload}/parts/2", content=b"2" * 10, headers=ann.writes)
        parts = [one.json(), two.json()]
        done = await ann.client.post(
            f"{upload}/complete", json={"parts": parts}, headers=ann.writes
        )
        assert done.status_code == 507 and done.json() == {"detail": STORAGE_FULL}
        assert leftovers(store.root) == []
        store.disk.copy = copy_all
        done = await ann.client.post(
            f"{upload}/complete", json={"parts": parts}, headers=ann.writes
        )
        assert done.status_code == 200 and done.json()["status"] == "queued"
        page = await ann.client.post(f"/jobs/{job_id}/cancel", data={"csrf": ann.csrf})
        assert page.status_code == 303  # the job lives on as usual
