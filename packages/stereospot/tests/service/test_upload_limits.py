"""What one user may hold, on both backends: one open upload per job, an upload's size,
the bytes stored per user, jobs in progress per user, abandoned uploads expiring, and
completions that answer alike however many arrive at once."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stereospot.bootstrap import App
from stereospot.errors import (
    Conflict,
    InvalidInput,
    LimitReached,
    NotFound,
    QuotaExceeded,
    TooLarge,
)
from stereospot.jobs import keys
from stereospot.jobs.models import JobStatus
from stereospot.ports import ObjectRef
from stereospot_testing.backends import BACKENDS, make_harness
from stereospot_testing.pipeline import make_app

LIMITS = {
    "max_upload_bytes": 3000,  # three parts of 1 KiB, the last one short
    "max_stored_bytes": 10_000,
    "max_active_jobs": 3,
}


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    harness = make_harness(request.param, tmp_path, request, **LIMITS)
    built = make_app(harness)
    built.service.part_size = 1024
    try:
        yield built
    finally:
        built.close()


def held(app: App, job_id: str) -> int:
    """Bytes the store holds for a job, unfinished uploads included."""
    return sum(
        app.backend.objects.usage(bucket, prefix)  # type: ignore[arg-type]
        for bucket, prefixes in keys.job_prefixes(job_id).items()
        for prefix in prefixes
    )


def test_a_job_has_one_open_upload_however_often_it_is_started(app: App) -> None:
    service = app.service
    job = service.create_job("ann", "a.mp4", {})
    sessions = []
    for _ in range(30):
        sessions.append(service.start_upload("ann", job.job_id))
        service.upload_part("ann", job.job_id, sessions[-1].upload_id, 1, b"x" * 100)
    assert held(app, job.job_id) == 100  # the 29 replaced uploads' parts are deleted
    for replaced in sessions[:-1]:
        # (Listing, not a part: moto answers a part for an aborted upload with a 500.)
        with pytest.raises(NotFound):
            service.uploaded_parts("ann", job.job_id, replaced.upload_id)
    last = sessions[-1].upload_id
    assert service.complete_upload("ann", job.job_id, last).status == JobStatus.QUEUED


def test_an_upload_past_its_limit_is_refused_before_it_is_stored(app: App) -> None:
    service = app.service
    job = service.create_job("ann", "a.mp4", {})
    upload = service.start_upload("ann", job.job_id).upload_id
    with pytest.raises(TooLarge, match="at most 1024 bytes"):
        service.upload_part("ann", job.job_id, upload, 1, b"x" * 1025)
    with pytest.raises(TooLarge, match=r"at most 2\.9 KiB \(3 parts of 1 KiB\); part 4"):
        service.upload_part("ann", job.job_id, upload, 4, b"x")
    with pytest.raises(TooLarge, match="part 4"):
        service.part_url("ann", job.job_id, upload, 4, 1)
    with pytest.raises(TooLarge):
        service.part_url("ann", job.job_id, upload, 1, 1025)
    assert service.uploaded_parts("ann", job.job_id, upload) == []
    for number in (1, 2, 3):  # 3 KiB: past 3,000 bytes only as a whole
        service.upload_part("ann", job.job_id, upload, number, b"x" * 1024)
    with pytest.raises(TooLarge, match="the file is 3 KiB"):
        service.complete_upload("ann", job.job_id, upload)
    assert held(app, job.job_id) == 0  # its parts were deleted
    assert service.detail("ann", job.job_id).job.status == JobStatus.CREATED


def test_a_completion_names_each_part_once_in_order(app: App) -> None:
    # One stored part named 2,000 times made a source 2,000 times its size, past the
    # upload limit and the storage quota, both checked as the parts were stored.
    service = app.service
    job = service.create_job("ann", "a.mp4", {})
    upload = service.start_upload("ann", job.job_id).upload_id
    for number in (1, 2):
        service.upload_part("ann", job.job_id, upload, number, b"x" * 1000)
    one, two = service.uploaded_parts("ann", job.job_id, upload)
    for listed, message in (
        ([one] * 2000, "part 1 follows part 1"),
        ([one, two, one], "part 1 follows part 2"),
        ([two, one], "part 1 follows part 2"),
        ([], "at least one part"),
    ):
        with pytest.raises(InvalidInput, match=message):
            service.complete_upload("ann", job.job_id, upload, listed)
    assert service.detail("ann", job.job_id).job.status == JobStatus.CREATED
    # One part alone (S3 takes parts under 5 MiB only as the last one).
    done = service.complete_upload("ann", job.job_id, upload, [two])
    assert done.status == JobStatus.QUEUED
    assert held(app, job.job_id) == 1000


def test_what_a_user_stores_is_bounded(app: App) -> None:
    service, objects = app.service, app.backend.objects
    old = service.create_job("ann", "old.mp4", {})
    objects.put_bytes(ObjectRef("output", keys.final_key(old.job_id)), b"f" * 9000)
    new = service.create_job("ann", "new.mp4", {})
    upload = service.start_upload("ann", new.job_id).upload_id
    service.upload_part("ann", new.job_id, upload, 1, b"x" * 900)
    with pytest.raises(QuotaExceeded, match=r"take 9\.7 KiB of the 9\.8 KiB you may store"):
        service.upload_part("ann", new.job_id, upload, 2, b"x" * 200)
    with pytest.raises(QuotaExceeded):
        service.part_url("ann", new.job_id, upload, 2, 200)
    # Another user's share is their own.
    theirs = service.create_job("bob", "b.mp4", {})
    bobs = service.start_upload("bob", theirs.job_id).upload_id
    service.upload_part("bob", theirs.job_id, bobs, 1, b"b" * 1000)
    # Deleting a finished job makes room at once.
    service.delete("ann", old.job_id)
    service.upload_part("ann", new.job_id, upload, 2, b"x" * 200)
    assert [p.size for p in service.uploaded_parts("ann", new.job_id, upload)] == [900, 200]
    # A user already at the limit cannot even start one.
    objects.put_bytes(ObjectRef("output", keys.final_key(new.job_id)), b"f" * 10_000)
    service.storage.forget("ann")
    full = service.create_job("ann", "full.mp4", {})
    with pytest.raises(QuotaExceeded):
        service.start_upload("ann", full.job_id)


def test_jobs_in_progress_are_bounded_per_user(app: App) -> None:
    service = app.service
    jobs = [service.create_job("ann", f"{n}.mp4", {}) for n in range(3)]
    with pytest.raises(LimitReached, match="you have 3 jobs in progress"):
        service.create_job("ann", "four.mp4", {})
    service.create_job("bob", "b.mp4", {})  # bob's count is his own
    service.cancel("ann", jobs[0].job_id)  # a finished job does not count
    service.create_job("ann", "four.mp4", {})
    with pytest.raises(LimitReached):
        service.create_job("ann", "five.mp4", {})
    service.delete("ann", jobs[1].job_id)
    service.create_job("ann", "five.mp4", {})


def test_completions_at_once_and_repeats_answer_alike(app: App) -> None:
    service = app.service
    for _ in range(3):
        job = service.create_job("ann", "a.mp4", {})
        upload = service.start_upload("ann", job.job_id).upload_id
        service.upload_part("ann", job.job_id, upload, 1, b"x" * 1000)
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda _: service.complete_upload("ann", job.job_id, upload), range(8))
            )
        repeat = service.complete_upload("ann", job.job_id, upload)
        assert repeat.status == JobStatus.QUEUED
        assert {(a.status, a.version) for a in answers} == {(repeat.status, repeat.version)}
        service.cancel("ann", job.job_id)  # stays within the jobs-in-progress limit
    # A job whose upload never happened has nothing to complete.
    empty = service.create_job("ann", "e.mp4", {})
    service.cancel("ann", empty.job_id)
    with pytest.raises(Conflict, match="no upload to complete"):
        service.complete_upload("ann", empty.job_id, "0" * 32)


def test_abandoned_uploads_expire_on_the_reconcilers_pass(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Local only: moto lists every upload as started in 2010 (see the contract suite).
    harness = make_harness("local", tmp_path, request, upload_expiry_hours=24.0)
    app = make_app(harness)
    try:
        service = app.service
        job = service.create_job("ann", "a.mp4", {})
        upload = service.start_upload("ann", job.job_id).upload_id
        service.upload_part("ann", job.job_id, upload, 1, b"x" * 100)
        [reconciler] = app.workers("reconciler")
        harness.advance(23 * 3600)
        assert reconciler.step() is False
        assert [p.number for p in service.uploaded_parts("ann", job.job_id, upload)] == [1]
        harness.advance(2 * 3600)
        assert reconciler.step() is True
        with pytest.raises(NotFound):
            service.uploaded_parts("ann", job.job_id, upload)
        assert held(app, job.job_id) == 0
        # The job itself waits for a new upload.
        again = service.start_upload("ann", job.job_id).upload_id
        service.upload_part("ann", job.job_id, again, 1, b"y")
        assert service.complete_upload("ann", job.job_id, again).status == JobStatus.QUEUED
    finally:
        app.close()
