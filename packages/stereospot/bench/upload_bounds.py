"""Uploads under hostile use, on the local backend (SQLite + a folder), through the
application service, as the web routes call it. Run it on a tree with and without the
upload bounds (put the other tree's src/ first on PYTHONPATH) in the same sitting.

1. One job's upload started N times, one 64 KiB part after each start: the uploads and
   bytes left on disk afterwards, and the median time of one start.
2. A 64 MiB source uploaded in 8 MiB parts and completed, by a user who already has 0 or
   `--jobs` jobs with files (best of 3): what counting a user's storage costs an upload.

Usage, from the repository's root:

    .venv/bin/python packages/stereospot/bench/upload_bounds.py [--starts 500] [--jobs 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from stereospot.bootstrap import build
from stereospot.converters import PassThrough
from stereospot.ports import ObjectRef
from stereospot.settings import Settings

MIB = 1024 * 1024


def held_uploads(objects: Path) -> tuple[int, int]:
    """(uploads, bytes of their parts) under the folder store, whatever its layout."""
    uploads = {p.parent for p in (objects / ".uploads").rglob("meta.json")}
    parts = sum(p.stat().st_size for u in uploads for p in u.glob("*.part"))
    return len(uploads), parts


def starts(folder: Path, count: int) -> None:
    app = build(Settings.from_env({}, data_dir=folder), converter=PassThrough())
    try:
        job = app.service.create_job("mallory", "a.mp4", {})
        part = os.urandom(64 * 1024)
        times = []
        for _ in range(count):
            began = time.perf_counter()
            upload = app.service.start_upload("mallory", job.job_id).upload_id
            times.append(time.perf_counter() - began)
            app.service.upload_part("mallory", job.job_id, upload, 1, part)
        uploads, held = held_uploads(folder / "objects")
        median = statistics.median(times) * 1000
        print(
            f"1. {count} starts on one job: {uploads} uploads and {held / MIB:.1f} MiB of "
            f"parts left on disk; one start {median:.2f} ms (median)"
        )
    finally:
        app.close()


def upload_with_history(folder: Path, jobs: int, source: Path) -> float:
    app = build(Settings.from_env({}, data_dir=folder), converter=PassThrough())
    try:
        for n in range(jobs):  # finished jobs that hold files: what a quota must count
            old = app.service.create_job("ann", f"{n}.mp4", {})
            for key in ("final.mp4", "preview.png", "segments/0.mp4"):
                app.backend.objects.put_bytes(ObjectRef("output", f"jobs/{old.job_id}/{key}"), b"x")
            app.service.cancel("ann", old.job_id)
        best = float("inf")
        for _ in range(3):
            job = app.service.create_job("ann", "film.mp4", {})
            began = time.perf_counter()
            app.service.upload_file("ann", job.job_id, source)
            best = min(best, time.perf_counter() - began)
            app.service.cancel("ann", job.job_id)
        return best
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stereospot-bench-") as tmp:
        root = Path(tmp)
        starts(root / "starts", args.starts)
        source = root / "film.mp4"
        source.write_bytes(os.urandom(64 * MIB))
        alone = upload_with_history(root / "alone", 0, source)
        many = upload_with_history(root / "many", args.jobs, source)
        print(
            f"2. 64 MiB upload in 8 MiB parts + completion: {alone:.3f} s with no other job, "
            f"{many:.3f} s with {args.jobs} jobs holding files ({many / alone:.2f}x)"
        )


if __name__ == "__main__":
    main()
