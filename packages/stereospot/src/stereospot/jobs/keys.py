"""Object keys, and the checks that keep callers inside them.

input bucket:  input/<job_id>/source.<ext>, input/<job_id>/audio.mka,
               segments/<job_id>/<index>_<total>.mp4
output bucket: segments/<job_id>/<index>.mp4, jobs/<job_id>/final.mp4 (and its stills)

Converted segments sit under a fixed top-level prefix in the output bucket, not under
jobs/<job_id>/, because an S3 lifecycle filter is a literal prefix: `segments/` lets the
bucket expire the ones a failed or abandoned job leaves behind (infra/aws-infra).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from stereospot.errors import InvalidInput

_JOB_ID = re.compile(r"[0-9a-f]{32}")
_EXT = re.compile(r"[a-z0-9]{1,5}")
_SOURCE = re.compile(r"input/([0-9a-f]{32})/source\.([a-z0-9]{1,5})")
_SEGMENT = re.compile(r"segments/([0-9a-f]{32})/(\d{1,6})_(\d{1,6})\.mp4")
# Keys the adapters accept at all: plain relative names, no traversal, no odd characters.
_SAFE_KEY = re.compile(r"(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]+")

SOURCE_EXTENSIONS = frozenset({"mp4", "mov", "mkv", "webm", "m4v", "avi", "ts", "mts"})


def new_job_id() -> str:
    return secrets.token_hex(16)


def check_job_id(job_id: str) -> str:
    if not _JOB_ID.fullmatch(job_id):
        raise InvalidInput("not a job id")
    return job_id


def check_key(key: str) -> str:
    """Refuse anything that could leave its bucket or folder: `..`, absolute paths,
    backslashes, empty parts, control characters."""
    if (
        len(key) > 512
        or not _SAFE_KEY.fullmatch(key)
        or any(part in {".", ".."} for part in key.split("/"))
    ):
        raise InvalidInput(f"not an acceptable object key: {key[:60]!r}")
    return key


def source_ext(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in SOURCE_EXTENSIONS:
        allowed = ", ".join(sorted(SOURCE_EXTENSIONS))
        raise InvalidInput(f"unsupported file type {ext or '(none)'!r}; use one of {allowed}")
    return ext


def source_key(job_id: str, ext: str) -> str:
    if not _EXT.fullmatch(ext):
        raise InvalidInput("bad extension")
    return f"input/{check_job_id(job_id)}/source.{ext}"


def audio_key(job_id: str) -> str:
    return f"input/{check_job_id(job_id)}/audio.mka"


def segments_prefix(job_id: str) -> str:
    return f"segments/{check_job_id(job_id)}/"


def segment_key(job_id: str, index: int, total: int) -> str:
    return f"{segments_prefix(job_id)}{index}_{total}.mp4"


def output_segment_key(job_id: str, index: int) -> str:
    return f"{output_segments_prefix(job_id)}{index}.mp4"


def output_segments_prefix(job_id: str) -> str:
    return f"segments/{check_job_id(job_id)}/"


def final_key(job_id: str) -> str:
    return f"jobs/{check_job_id(job_id)}/final.mp4"


def preview_key(job_id: str) -> str:
    """The stereo still of the job page; its depth still is `depth.png` beside it."""
    return f"jobs/{check_job_id(job_id)}/preview.png"


def depth_key(job_id: str) -> str:
    return f"jobs/{check_job_id(job_id)}/depth.png"


def job_prefixes(job_id: str) -> dict[str, list[str]]:
    """Every prefix that holds a job's objects, by bucket; delete removes them all."""
    check_job_id(job_id)
    return {
        "input": [f"input/{job_id}/", f"segments/{job_id}/"],
        "output": [f"jobs/{job_id}/", f"segments/{job_id}/"],
    }


@dataclass(frozen=True, slots=True)
class SourceKey:
    job_id: str
    ext: str


@dataclass(frozen=True, slots=True)
class SegmentKey:
    job_id: str
    index: int
    total: int


def parse_source(key: str) -> SourceKey | None:
    match = _SOURCE.fullmatch(key)
    return SourceKey(match[1], match[2]) if match else None


def parse_segment(key: str) -> SegmentKey | None:
    match = _SEGMENT.fullmatch(key)
    if not match:
        return None
    index, total = int(match[2]), int(match[3])
    return SegmentKey(match[1], index, total) if 0 <= index < total else None
