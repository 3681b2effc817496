"""JSON shapes of the API, built from the service's records."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from stereospot.jobs.models import Job
from stereospot.jobs.views import JobDetail, UploadSession
from stereospot.ports import UploadedPart
from stereospot.web.filters import pace_line


class NewJob(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    format: str = "half-sbs"
    divergence: float = 2.0
    convergence: float = 0.5
    depth: str = Field(default="classical", max_length=20)
    # A model's name in the workers' model folder (never a path; the service checks it).
    model: str | None = Field(default=None, max_length=128)
    # A 10-second test render from here (seconds); left out: the whole film.
    trial_start: float | None = None


class Rerun(BaseModel):
    """What a re-run changes; what is left out stays as the finished job had it."""

    format: str | None = None
    divergence: float | None = None
    convergence: float | None = None
    depth: str | None = Field(default=None, max_length=20)
    model: str | None = Field(default=None, max_length=128)
    trial_start: float | None = None


class PartIn(BaseModel):
    number: int = Field(ge=1, le=10000)
    etag: str = Field(min_length=1, max_length=200)
    size: int = Field(default=0, ge=0)


class Completion(BaseModel):
    parts: list[PartIn] | None = Field(default=None, max_length=10000)


def job_json(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": str(job.status),
        "filename": job.filename,
        "format": job.params.get("format"),
        "divergence": job.params.get("divergence"),
        "depth": job.params.get("depth", "classical"),
        "model": job.params.get("model"),
        "convergence": job.params.get("convergence"),
        "trial_start": job.params.get("trial_start"),
        "created_at": job.created_at,
        "completed_at": job.completed_at,
        "segment_count": job.segment_count,
        "error": job.error,
        # False when the file itself can never convert: a retry would fail the same way.
        "retryable": job.retryable,
        "version": job.version,
    }


def detail_json(detail: JobDetail) -> dict[str, Any]:
    return {
        **job_json(detail.job),
        "progress": detail.progress,
        "chunked": detail.job.chunked,
        "pace": (
            None
            if detail.pace is None
            else {"fps": detail.pace.fps, "eta_seconds": detail.pace.eta_seconds}
        ),
        # The line the page shows under its bar (web.filters.pace_line).
        "pace_line": pace_line(detail),
        "final_ready": detail.final_ready,
        "download_name": detail.download_name,
        "segments": [
            {"index": s.index, "status": str(s.status), "progress": s.progress, "error": s.error}
            for s in detail.segments
        ],
    }


def upload_json(session: UploadSession) -> dict[str, Any]:
    return {
        "job_id": session.job_id,
        "upload_id": session.upload_id,
        "part_size": session.part_size,
        "direct": session.direct,
    }


def part_json(part: UploadedPart) -> dict[str, Any]:
    return {"number": part.number, "etag": part.etag, "size": part.size}
