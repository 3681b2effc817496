"""A full disk for real: the data folder on a 40 MiB tmpfs filled to its last byte. A
write that does not fit is a 507 with a clear message and leaves nothing partial, a delete
frees the job's files before it writes to the (full) database, and everything works once
there is room. Needs root to mount; where it cannot, the test fails, it does not skip.
(Only names that existed before these guards are imported, so the same test can be run
against the code without them.)"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stereospot.bootstrap import build
from stereospot.converters import PassThrough
from stereospot.local.objects import FolderObjectStore
from stereospot.web.app import create_app
from stereospot_testing.backends import local_settings
from stereospot_testing.faults import leftovers
from stereospot_testing.web_client import USERS, Browser, browser_as

MIB = 1024 * 1024


async def new_upload(browser: Browser) -> tuple[str, str]:
    """(job id, the upload's base URL) of a new job with its upload started."""
    job = await browser.client.post("/api/jobs", json={"filename": "a.mp4"}, headers=browser.writes)
    assert job.status_code == 201, job.text
    job_id = job.json()["job_id"]
    base = f"/api/jobs/{job_id}/uploads"
    started = await browser.client.post(base, headers=browser.writes)
    assert started.status_code == 201, started.text
    return job_id, f"{base}/{started.json()['upload_id']}"


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"this test needs a {size} tmpfs (root, or a container allowed to mount): "
            f"mount said {mounted.stderr.strip() or mounted.returncode}"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(path: Path) -> int:
    """Write zeros to `path` until the filesystem has no byte left; bytes written."""
    written = 0
    with path.open("wb", buffering=0) as handle:
        for size in (MIB, 4096, 1):
            chunk = b"\0" * size
            try:
                while True:
                    written += handle.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    return written


async def test_a_full_disk_for_real(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk", "40m") as disk:
        settings = local_settings(disk / "data")
        app = build(settings, converter=PassThrough())
        web = create_app(app.service, users=USERS)
        store = app.backend.objects
        assert isinstance(store, FolderObjectStore)
        try:
            async with browser_as(web, "ann") as ann:
                held, upload = await new_upload(ann)
                for number in (1, 2, 3):  # 24 MiB of parts on a 40 MiB disk
                    part = await ann.client.put(
                        f"{upload}/parts/{number}", content=os.urandom(8 * MIB),
                        headers=ann.writes,
                    )  # fmt: skip
                    assert part.status_code == 200, part.text
                job_id, upload = await new_upload(ann)
                assert fill(disk / "ballast") > 0
                part = await ann.client.put(
                    f"{upload}/parts/1", content=b"x" * 8 * MIB, headers=ann.writes
                )
                start = await ann.client.post(f"/api/jobs/{job_id}/uploads", headers=ann.writes)
                for answer in (part, start):
                    assert answer.status_code == 507, answer.text
                    assert "storage is full" in answer.json()["detail"]
                assert leftovers(store.root) == []
                # The delete frees the 24 MiB before it writes to the full database.
                gone = await ann.client.delete(f"/api/jobs/{held}", headers=ann.writes)
                assert gone.status_code == 204, gone.text
                part = await ann.client.put(
                    f"{upload}/parts/1", content=b"x" * 8 * MIB, headers=ann.writes
                )
                assert part.status_code == 200, part.text
                done = await ann.client.post(
                    f"{upload}/complete", json={"parts": [part.json()]}, headers=ann.writes
                )
                assert done.status_code == 200 and done.json()["status"] == "queued"
                (disk / "ballast").unlink()
                listing = (await ann.client.get("/api/jobs")).json()["in_progress"]
                for job in listing:
                    deleted = await ann.client.delete(
                        f"/api/jobs/{job['job_id']}", headers=ann.writes
                    )
                    assert deleted.status_code == 204
                assert leftovers(store.root) == []
        finally:
            app.close()
