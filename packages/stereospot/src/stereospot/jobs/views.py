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
class JobDetail:
    job: Job
    segments: list[SegmentState]  # one per segment once the count is known
    progress: int  # percent over the whole job
    final_ready: bool
    download_name: str


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


def overall_progress(job: Job, segments: list[SegmentState]) -> int:
    fixed = {
        JobStatus.CREATED: 0,
        JobStatus.QUEUED: 2,
        JobStatus.CHUNKING: 5,
        JobStatus.REASSEMBLING: 95,
        JobStatus.COMPLETED: 100,
    }
    if job.status in fixed:
        return fixed[job.status]
    if not job.segment_count:
        return 5
    done = sum(100 if s.status == SegmentStatus.DONE else s.progress for s in segments)
    return 5 + (90 * done) // (100 * job.segment_count)


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
