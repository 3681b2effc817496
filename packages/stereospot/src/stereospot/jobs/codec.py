"""Jobs to and from plain dicts (JSON for SQLite, items for DynamoDB)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stereospot.jobs.models import Job, JobStatus

FIELDS = [
    "job_id",
    "owner",
    "status",
    "created_at",
    "updated_at",
    "filename",
    "source_ext",
    "params",
    "version",
    "segment_count",
    "cuts",
    "normalisation",
    "completed_at",
    "error",
    "errors",
    "retryable",
    "report",
    "chunked",
    "frames",
    "converting_since",
    "converted_before",
    "lease_owner",
    "lease_expires",
]


def to_dict(job: Job) -> dict[str, Any]:
    data = {name: getattr(job, name) for name in FIELDS}
    data["cuts"] = None if job.cuts is None else list(job.cuts)
    return data


def from_dict(data: Mapping[str, Any]) -> Job:
    def number(name: str) -> float | None:
        value = data.get(name)
        return None if value is None else float(value)

    def whole(name: str) -> int | None:
        value = data.get(name)
        return None if value is None else int(value)

    count = data.get("segment_count")
    cuts = data.get("cuts")
    return Job(
        job_id=str(data["job_id"]),
        owner=str(data["owner"]),
        status=JobStatus(str(data["status"])),
        created_at=float(data["created_at"]),
        updated_at=float(data["updated_at"]),
        filename=str(data["filename"]),
        source_ext=str(data["source_ext"]),
        params=dict(data.get("params") or {}),
        version=int(data.get("version", 1)),
        segment_count=None if count is None else int(count),
        cuts=None if cuts is None else tuple(int(c) for c in cuts),
        normalisation=data.get("normalisation"),
        completed_at=number("completed_at"),
        error=data.get("error"),
        errors=dict(data.get("errors") or {}),
        retryable=bool(data.get("retryable", True)),  # jobs stored before it existed: True
        report=data.get("report"),
        chunked=whole("chunked"),
        frames=whole("frames"),
        converting_since=number("converting_since"),
        converted_before=whole("converted_before") or 0,
        lease_owner=data.get("lease_owner"),
        lease_expires=number("lease_expires"),
    )
