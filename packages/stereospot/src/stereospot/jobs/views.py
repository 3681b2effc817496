"""What the service hands to its callers (the web UI, the CLI): plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from stereospot.jobs.models import Job, JobStatus, SegmentState, SegmentStatus


@dataclass(frozen=True, slots=True)
class UploadSession:
    job_id: str
    upload_id: str
    part_size: int  # bytes per part (the last may be smaller)
    direct: bool  # True: PUT each part to `JobService.part_url`; False: `upload_part`


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast a converting job goes, over every worker at once, since its segments began
    (or since its retry): what a person plans with."""

    fps: float | None  # frames converted per second; None when the frame count is unknown
    eta_seconds: float  # until the last segment is converted (the join follows)


@dataclass(frozen=True, slots=True)
class JobDetail:
    job: Job
    segments: list[SegmentState]  # one per segment once the count is known
    progress: int  # percent over the whole job
    final_ready: bool
    download_name: str
    pace: Pace | None = None  # while converting, once there is enough to go on


@dataclass(frozen=True, slots=True)
class MediaLink:
    url: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class MediaFile:
    """What a signed local media link opens: a file to stream with this name and type."""

    path: Path
    filename: str
    content_type: str


# The whole job's bar: queued at 2 %, chunking from 2 to 8 % as it goes, the segments from
# 8 to 95 %, then the join.
QUEUED_AT, CONVERTING_AT, JOINING_AT = 2, 8, 95
# A pace needs this much to go on: less is noise (a worker starting, a first segment's
# first frames).
PACE_MIN_SECONDS, PACE_MIN_WORK = 5.0, 2  # seconds; percent of the job's segments


def work_done(segments: list[SegmentState]) -> int:
    """Converted work, a finished segment counting 100 (its percent while it converts)."""
    return sum(100 if s.status == SegmentStatus.DONE else s.progress for s in segments)


def overall_progress(job: Job, segments: list[SegmentState]) -> int:
    fixed = {
        JobStatus.CREATED: 0,
        JobStatus.QUEUED: QUEUED_AT,
        JobStatus.REASSEMBLING: JOINING_AT,
        JobStatus.COMPLETED: 100,
    }
    if job.status in fixed:
        return fixed[job.status]
    if job.status == JobStatus.CHUNKING:
        chunked = min(100, max(0, job.chunked or 0))
        return QUEUED_AT + (CONVERTING_AT - QUEUED_AT) * chunked // 100
    if not job.segment_count:
        return CONVERTING_AT
    share = JOINING_AT - CONVERTING_AT
    return CONVERTING_AT + (share * work_done(segments)) // (100 * job.segment_count)


def pace(job: Job, segments: list[SegmentState], now: float) -> Pace | None:
    """Frames per second and time left, from the work done since the segments began; None
    until there is enough to go on, or when the job is not converting."""
    if job.status != JobStatus.CONVERTING or not job.segment_count or not job.converting_since:
        return None
    whole = 100 * job.segment_count
    done = work_done(segments)
    gained = done - job.converted_before
    elapsed = now - job.converting_since
    if elapsed < PACE_MIN_SECONDS or gained * 100 < PACE_MIN_WORK * whole or gained <= 0:
        return None
    per_second = gained / elapsed  # work units a second
    fps = per_second * job.frames / whole if job.frames else None
    return Pace(fps=fps, eta_seconds=max(0.0, (whole - done) / per_second))


def full_segments(
    total: int | None, known: list[SegmentState], job_status: JobStatus | None = None
) -> list[SegmentState]:
    """Every segment's state, pending for those not reported yet. Once a job is cancelled,
    no segment of it is converting or waiting any more, whatever its last report said."""
    by_index = {s.index: s for s in known}
    states = [by_index.get(i, SegmentState(i, SegmentStatus.PENDING)) for i in range(total or 0)]
    if job_status != JobStatus.CANCELLED:
        return states
    unfinished = {SegmentStatus.PENDING, SegmentStatus.CONVERTING}
    return [
        replace(s, status=SegmentStatus.CANCELLED) if s.status in unfinished else s for s in states
    ]
