"""What the job lists and the job page show of a job's state: failed and cancelled jobs
apart from those still converting, a cancelled job's segments no longer "converting", and
durations as people say them."""

from __future__ import annotations

from pathlib import Path

from stereospot.bootstrap import build
from stereospot.jobs.models import JobStatus, SegmentState, SegmentStatus
from stereospot.jobs.views import full_segments
from stereospot.web.filters import duration, when
from stereospot_testing.backends import local_settings


def test_a_cancelled_jobs_unfinished_segments_say_so() -> None:
    known = [
        SegmentState(0, SegmentStatus.DONE, 100),
        SegmentState(1, SegmentStatus.CONVERTING, 40),
    ]
    shown = full_segments(3, known, JobStatus.CANCELLED)
    assert [s.status for s in shown] == [
        SegmentStatus.DONE,
        SegmentStatus.CANCELLED,
        SegmentStatus.CANCELLED,
    ]
    converting = full_segments(3, known, JobStatus.CONVERTING)
    assert [s.status for s in converting] == [
        SegmentStatus.DONE,
        SegmentStatus.CONVERTING,
        SegmentStatus.PENDING,
    ]


def test_failed_and_cancelled_jobs_are_listed_apart(tmp_path: Path) -> None:
    app = build(local_settings(tmp_path / "data"))
    try:
        service, jobs = app.service, app.backend.jobs
        made = {
            name: service.create_job("ann", f"{name}.mp4", {"format": "half-sbs"}).job_id
            for name in ("waiting", "failed", "cancelled")
        }
        jobs.update(made["failed"], when={JobStatus.CREATED}, status=JobStatus.QUEUED, now=1.0)
        jobs.update(made["failed"], when={JobStatus.QUEUED}, status=JobStatus.FAILED, now=2.0)
        service.cancel("ann", made["cancelled"])
        names = lambda found: sorted(j.filename for j in found)  # noqa: E731
        assert names(service.list_in_progress("ann")) == ["waiting.mp4"]
        assert names(service.list_needing_attention("ann")) == ["cancelled.mp4", "failed.mp4"]
    finally:
        app.close()


def test_durations_and_moments_read_as_people_write_them() -> None:
    assert [duration(s) for s in (4, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]
    assert when(0) == (
        '<time datetime="1970-01-01T00:00:00Z" data-local>1970-01-01 00:00 UTC</time>'
    )
