"""The records the pipeline keeps. Times are seconds since the epoch (floats)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    CREATED = "created"  # waiting for its upload
    QUEUED = "queued"  # uploaded, waiting for the media-worker
    CHUNKING = "chunking"
    CONVERTING = "converting"
    REASSEMBLING = "reassembling"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A job is "active" while some worker may still act on it; the reconciler watches these.
ACTIVE = frozenset(
    {JobStatus.QUEUED, JobStatus.CHUNKING, JobStatus.CONVERTING, JobStatus.REASSEMBLING}
)
FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
# What the home page lists apart, under "Needs attention": jobs to retry or delete.
NEEDS_ATTENTION = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})
# Still on their way: everything neither completed nor needing attention.
IN_PROGRESS = frozenset(JobStatus) - FINISHED


class SegmentStatus(StrEnum):
    PENDING = "pending"
    CONVERTING = "converting"
    DONE = "done"
    FAILED = "failed"
    # Never stored: how a cancelled job's unfinished segments are shown (views.py).
    CANCELLED = "cancelled"


FORMATS = ("half-sbs", "full-sbs", "half-tb", "full-tb", "anaglyph")
TRIAL_SECONDS = 10.0  # a test render's length


@dataclass(frozen=True, slots=True)
class JobParams:
    """What the user chose; stored on the job and passed (as JSON) to every segment."""

    format: str = "half-sbs"
    divergence: float = 2.0  # strength, % of width
    convergence: float = 0.5
    depth: str = "classical"
    model: str | None = None
    # A test render from here (seconds into the source), without sound: from the keyframe
    # at or before it to the first keyframe at least TRIAL_SECONDS past it. None: the whole
    # film.
    trial_start: float | None = None

    def as_dict(self) -> dict[str, Any]:
        chosen: dict[str, Any] = {
            "format": self.format,
            "divergence": self.divergence,
            "convergence": self.convergence,
        }
        # Classical depth is what a job without these keys has always meant.
        if self.depth != "classical" or self.model is not None:
            chosen.update(depth=self.depth, model=self.model)
        if self.trial_start is not None:
            chosen["trial_start"] = self.trial_start
        return chosen

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobParams:
        model, trial = data.get("model"), data.get("trial_start")
        return cls(
            format=str(data.get("format", "half-sbs")),
            divergence=float(data.get("divergence", 2.0)),
            convergence=float(data.get("convergence", 0.5)),
            depth=str(data.get("depth") or "classical"),
            model=None if model in (None, "") else str(model),
            trial_start=None if trial in (None, "") else float(trial),
        )


@dataclass(frozen=True, slots=True)
class Job:
    job_id: str
    owner: str
    status: JobStatus
    created_at: float
    updated_at: float
    filename: str  # the name the user uploaded, for the download name
    source_ext: str  # "mp4", "mkv", ...: the source key is input/<id>/source.<ext>
    params: Mapping[str, Any]
    version: int = 1  # grows with every change; conditional writes and live views use it
    segment_count: int | None = None
    # Where each segment starts (keyframe times in the source's video time base) when the
    # video workers read their spans from the source in place, and one more where the last
    # ends when that is before the end of the source (a test render); None when the
    # chunker wrote segment files instead (a store on other machines).
    cuts: tuple[int, ...] | None = None
    normalisation: Mapping[str, Any] | None = None  # the engine's job-level pre-pass result
    completed_at: float | None = None
    error: str | None = None  # why the job failed, for people
    errors: Mapping[str, str] = field(default_factory=dict)  # last error per stage
    # False when the job failed because of its source (not a video, too large): a retry
    # would fail the same way, so none is offered.
    retryable: bool = True
    report: Mapping[str, Any] | None = None  # e.g. the engine's comfort report
    # How far chunking is (percent), while it runs; the job page's bar moves with it.
    chunked: int | None = None
    frames: int | None = None  # video frames to convert, counted by the chunker's pass
    converting_since: float | None = None  # when the segments began (for fps and ETA)
    # The work already done then (views.work_done: a finished segment counts 100), so a
    # retried job's pace counts only what was converted since.
    converted_before: int = 0
    lease_owner: str | None = None
    lease_expires: float | None = None


@dataclass(frozen=True, slots=True)
class SegmentState:
    index: int
    status: SegmentStatus
    progress: int = 0  # percent
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SegmentCompletion:
    job_id: str
    index: int
    total: int
    output_key: str
    completed_at: float
    report: Mapping[str, Any] = field(default_factory=dict)


# The fields an update may change besides status; adapters refuse any other name.
def check_changeable(changes: Mapping[str, Any] | None) -> None:
    unknown = set(changes or {}) - CHANGEABLE
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")


CHANGEABLE = frozenset(
    {
        "segment_count",
        "cuts",
        "normalisation",
        "completed_at",
        "error",
        "errors",
        "report",
        "retryable",
        "chunked",
        "frames",
        "converting_since",
        "converted_before",
    }
)
