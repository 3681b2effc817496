"""A full disk on the local backend: writes fail whole (StorageFull, nothing partial
left), deletes free files before they write, half-made folders do not stop a delete, and
everything works again once there is room. The disk is made full by the store's writer
(`Disk`, local/disk.py) failing with ENOSPC part-way, by SQLite's own page limit, and by
`faults.FullDisk` for the database's writes; tests/web/test_full_disk.py does it for real
on a small tmpfs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from stereospot.bootstrap import App, build
from stereospot.converters import PassThrough
from stereospot.errors import NotFound, StorageFull
from stereospot.jobs.models import JobStatus
from stereospot.local.database import Database
from stereospot.local.disk import copy_all, write_all
from stereospot.local.objects import FolderObjectStore
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness, make_harness
from stereospot_testing.faults import FullDisk, leftovers, no_room_after, no_room_to_copy
from stereospot_testing.pipeline import make_app


@pytest.fixture
def local(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Harness, App]]:
    harness = make_harness("local", tmp_path, request)
    app = make_app(harness)
    app.service.part_size = 4096
    try:
        yield harness, app
    finally:
        app.close()


def folder_store(app: App) -> FolderObjectStore:
    store = app.backend.objects
    assert isinstance(store, FolderObjectStore)
    return store


def test_writes_that_do_not_fit_leave_nothing_and_work_once_there_is_room(
    local: tuple[Harness, App],
) -> None:
    _, app = local
    service, store = app.service, folder_store(app)
    job = service.create_job("ann", "a.mp4", {})
    upload = service.start_upload("ann", job.job_id).upload_id
    service.upload_part("ann", job.job_id, upload, 1, b"1" * 4096)
    store.disk.write = no_room_after(1000)
    with pytest.raises(StorageFull):
        service.upload_part("ann", job.job_id, upload, 5, b"5" * 4096)
    with pytest.raises(StorageFull):
        service.start_upload("ann", job.job_id)  # its metadata does not fit
    with pytest.raises(StorageFull):
        store.put_bytes(ObjectRef("output", f"jobs/{job.job_id}/preview.png"), b"p" * 2000)
    assert leftovers(store.root) == []
    # The failed start replaced nothing it could not finish: the open upload is intact.
    assert [p.number for p in service.uploaded_parts("ann", job.job_id, upload)] == [1]
    store.disk.copy = no_room_to_copy
    service_parts = service.uploaded_parts("ann", job.job_id, upload)
    store.disk.write = write_all
    service.upload_part("ann", job.job_id, upload, 2, b"2" * 10)
    with pytest.raises(StorageFull):  # joining the parts does not fit either
        service.complete_upload("ann", job.job_id, upload)
    assert leftovers(store.root) == [] and service_parts
    assert service.detail("ann", job.job_id).job.status == JobStatus.CREATED
    store.disk.copy = copy_all
    assert service.complete_upload("ann", job.job_id, upload).status == JobStatus.QUEUED
    source = store.get_bytes(ObjectRef("input", f"input/{job.job_id}/source.mp4"))
    assert source == b"1" * 4096 + b"2" * 10
    assert leftovers(store.root) == []


def test_a_delete_on_a_full_disk_frees_the_files_before_it_writes(
    local: tuple[Harness, App],
) -> None:
    harness, app = local
    job = app.service.create_job("ann", "a.mp4", {})
    upload = app.service.start_upload("ann", job.job_id).upload_id
    app.service.upload_part("ann", job.job_id, upload, 1, b"x" * 4096)
    disk = FullDisk()
    on_full = build(
        harness.settings, clock=harness.clock, backend=disk.wrap(app.backend),
        converter=PassThrough(),
    )  # fmt: skip
    # The job is unfinished: its cancel cannot be written, its files go all the same, and
    # with them gone the database has room for the rest.
    on_full.service.delete("ann", job.job_id)
    assert not disk.full
    assert app.backend.jobs.get(job.job_id) is None
    assert app.backend.objects.usage("input", f"input/{job.job_id}/") == 0


def test_a_delete_finishes_what_a_full_disk_left_half_made(local: tuple[Harness, App]) -> None:
    _, app = local
    service, store = app.service, folder_store(app)
    job = service.create_job("ann", "a.mp4", {})
    key = f"input/{job.job_id}/source.mp4"
    # What a crash or an older version's full disk left: an upload folder without its
    # metadata, one whose metadata is empty, and one of the layout before uploads were
    # filed by key (`.uploads/<id>/meta.json`, here empty).
    key_folder = store.root / ".uploads" / "input" / f"{key}~"
    (key_folder / ("a" * 32)).mkdir(parents=True)
    (key_folder / ("b" * 32)).mkdir()
    (key_folder / ("b" * 32) / "meta.json").write_bytes(b"")
    legacy = store.root / ".uploads" / ("c" * 32)
    legacy.mkdir()
    (legacy / "meta.json").write_bytes(b"")
    other = service.create_job("ann", "b.mp4", {})
    upload = service.start_upload("ann", other.job_id).upload_id
    for half_made in ("a" * 32, "b" * 32):
        with pytest.raises(NotFound):
            service.uploaded_parts("ann", job.job_id, half_made)
    service.delete("ann", job.job_id)
    assert not key_folder.exists()
    assert app.backend.jobs.get(job.job_id) is None
    # Every other job's delete works too, and the sweep clears the old layout's leftover.
    assert app.workers("reconciler")[0].step() is True
    assert not legacy.exists()
    service.upload_part("ann", other.job_id, upload, 1, b"x")
    service.delete("ann", other.job_id)
    assert leftovers(store.root) == []
    uploads = store.root / ".uploads"
    assert [p for p in uploads.rglob("*") if p.parent != uploads] == []  # bucket folders only


def test_a_full_database_is_storage_full_and_the_next_write_works(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite")
    db.open()
    try:
        db.write(lambda conn: conn.execute("CREATE TABLE t (v BLOB)"))
        pages = db.read(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
        db.read(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages + 2}"))

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO t VALUES (?)", (b"x" * 3000,))

        with pytest.raises(StorageFull):
            for _ in range(10):
                db.write(insert)
        db.read(lambda conn: conn.execute("PRAGMA max_page_count = 100000"))
        db.write(insert)  # the connection is not left inside the failed transaction
        assert db.read(lambda conn: conn.execute("SELECT count(*) FROM t").fetchone()[0]) >= 1
    finally:
        db.close()


def test_upload_metadata_is_written_whole(local: tuple[Harness, App]) -> None:
    _, app = local
    store = folder_store(app)
    job = app.service.create_job("ann", "a.mp4", {})
    upload = app.service.start_upload("ann", job.job_id).upload_id
    [meta] = (store.root / ".uploads").rglob(f"{upload}/meta.json")
    assert json.loads(meta.read_text()) == {"started": app.ctx.clock()}
    assert [p.name for p in meta.parent.iterdir()] == ["meta.json"]  # no temp beside it
