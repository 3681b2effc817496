"""Progress a person can plan with, on each backend: chunking reports as it goes (so the
job page's bar moves before any segment exists), the job records the frames to convert
and when the segments began (what frames per second and the time left are worked out
from), a job cancelled while it is being chunked stops there, and a retry's pace counts
only its own work."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stereospot.bootstrap import App
from stereospot.jobs.models import Job, JobStatus, SegmentState, SegmentStatus
from stereospot.jobs.views import work_done
from stereospot.media.probe import probe
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import make_app, submit
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    return make_video(folder / "clip.mp4", seconds=6, gop=24)


def watch_updates(app: App, then: Callable[[Job], None] | None = None) -> list[Job]:
    """Every job the store's update returns, in order (`then` sees each as it comes)."""
    seen: list[Job] = []
    update = app.backend.jobs.update

    def recorded(*args: Any, **kwargs: Any) -> Job:
        job = update(*args, **kwargs)
        seen.append(job)
        if then is not None:
            then(job)
        return job

    app.backend.jobs.update = recorded  # type: ignore[method-assign]
    return seen


def test_chunking_reports_as_it_goes_and_records_what_the_pace_needs(
    harness: Harness, clip: Path
) -> None:
    app = make_app(harness)
    seen = watch_updates(app)
    job = submit(app, clip)
    app.drain()
    chunking = [j.chunked for j in seen if j.status == JobStatus.CHUNKING]
    # From the start, past the pre-pass, through the cut pass (a write per 10 points at
    # most, so the admission check's 5 is not one).
    assert chunking[0] == 0 and 40 in chunking and 5 not in chunking, chunking
    assert chunking == sorted(chunking)
    assert len([c for c in chunking if c is not None and 40 < c < 100]) >= 3, chunking
    done = app.backend.jobs.get(job.job_id)
    assert done is not None and done.status == JobStatus.COMPLETED
    assert done.chunked == 100
    assert done.frames == probe(clip).video_frames == 144
    assert done.converting_since is not None
    assert done.created_at <= done.converting_since <= done.completed_at  # type: ignore[operator]


def test_a_job_cancelled_while_chunking_stops_there(harness: Harness, clip: Path) -> None:
    app = make_app(harness)

    def cancel_once_past_the_prepass(job: Job) -> None:
        if job.status == JobStatus.CHUNKING and (job.chunked or 0) >= 40:
            app.backend.jobs.update = update  # type: ignore[method-assign]
            app.service.cancel("ann", job.job_id)

    update = app.backend.jobs.update
    watch_updates(app, cancel_once_past_the_prepass)
    job = submit(app, clip)
    app.drain()
    stopped = app.backend.jobs.get(job.job_id)
    assert stopped is not None and stopped.status == JobStatus.CANCELLED
    assert stopped.segment_count is None and stopped.chunked is not None and stopped.chunked < 100
    assert app.backend.jobs.segments(job.job_id) == []


def test_a_retry_measures_its_pace_from_its_own_start(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    app.drain()
    jobs = app.backend.jobs
    # As if the last segment had failed: the job failed with the others done.
    failed = _as_failed(app, job.job_id, harness.clock())
    count = failed.segment_count or 0
    assert count >= 3
    segments = [SegmentState(i, SegmentStatus.DONE, 100) for i in range(count)]
    segments[-1] = SegmentState(count - 1, SegmentStatus.FAILED, 0, "boom")
    # Cut short at 40 % when the job failed: converted again from 0 after the retry.
    segments[-2] = SegmentState(count - 2, SegmentStatus.CONVERTING, 40)
    for state in segments:
        jobs.set_segment(job.job_id, state, harness.clock())
    before = harness.clock()
    harness.advance(1)
    app.service.retry("ann", job.job_id)
    retried = jobs.get(job.job_id)
    assert retried is not None and retried.converting_since is not None
    assert retried.converting_since > before
    # Only the finished segments: counting the 40 % would make the pace wait for it and
    # then read slow.
    assert retried.converted_before == 100 * (count - 2) == work_done(segments) - 40


def _as_failed(app: App, job_id: str, now: float) -> Job:
    """A completed job put back to failed, the way a store can be arranged in a test: the
    state machine has no such move, so the record is written whole."""
    job = app.backend.jobs.get(job_id)
    assert job is not None
    failed = dataclasses.replace(
        job, status=JobStatus.FAILED, completed_at=None, version=job.version + 1
    )
    app.backend.jobs.delete(job_id)
    app.backend.jobs.create(failed)
    return failed
