"""`stereospot convert IN -o OUT`: the whole pipeline on this machine, with a progress bar.

It is the same flow as on a fleet (upload in parts, chunk, convert segments in parallel,
reassemble once) on the local backend in a temporary data folder, with the workers as
threads of this process.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from stereospot.bootstrap import build
from stereospot.errors import StereoSpotError
from stereospot.jobs import naming
from stereospot.jobs.models import FINISHED, FORMATS, JobStatus
from stereospot.ports import ObjectRef
from stereospot.settings import Settings
from stereospot.workers.roles import run_threads

USER = "cli"


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser(
        "convert", help="convert a video to stereo 3D on this machine"
    )
    command.add_argument("input", type=Path, help="the 2D video")
    command.add_argument(
        "-o", "--output", type=Path, required=True, help="where to write the result"
    )
    command.add_argument("--format", choices=FORMATS, default="half-sbs")
    command.add_argument("--strength", type=float, default=2.0, help="divergence, %% of width")
    command.add_argument("--convergence", type=float, default=0.5)
    command.add_argument("--segment-seconds", type=float, help="segment length (default 60)")
    command.add_argument(
        "--workers", type=int, help="video workers (default STEREOSPOT_VIDEO_WORKERS)"
    )
    command.add_argument("--converter", choices=("auto", "engine", "passthrough"))
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.set_defaults(handler=run)


def bar(percent: int, label: str, width: int = 30) -> str:
    filled = width * percent // 100
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {percent:3d}% {label:<28}"


def output_path(requested: Path, fmt: str, stereo: bool) -> Path:
    """Add the VR players' tag to the name unless it has one (not for a 2D pass-through)."""
    if not stereo:
        return requested
    return requested.with_name(naming.tagged(requested.name, fmt, requested.suffix or ".mp4"))


def run(args: argparse.Namespace) -> int:
    if not args.input.is_file():
        print(f"stereospot convert: no such file: {args.input}", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {"backend": "local", "inference": "inprocess"}
    if args.segment_seconds:
        overrides["segment_seconds"] = args.segment_seconds
    if args.workers:
        overrides["video_workers"] = args.workers
    if args.converter:
        overrides["converter"] = args.converter
    with tempfile.TemporaryDirectory(prefix="stereospot-convert-") as data:
        try:
            settings = Settings.from_env(None, data_dir=Path(data), poll_seconds=0.2, **overrides)
            return convert(settings, args)
        except StereoSpotError as exc:
            print(f"\nstereospot convert: {exc}", file=sys.stderr)
            return 1


def convert(settings: Settings, args: argparse.Namespace) -> int:
    app = build(settings)
    show = not args.quiet
    stop = threading.Event()
    runner = threading.Thread(
        target=lambda: run_threads(app.local_workers(quiet=True), stop), daemon=True
    )
    try:
        params = {
            "format": args.format,
            "divergence": args.strength,
            "convergence": args.convergence,
        }
        job = app.service.create_job(USER, args.input.name, params)

        def uploaded(sent: int, total: int) -> None:
            if show:
                print(bar(2 * sent // max(total, 1), "uploading"), end="", file=sys.stderr)

        app.service.upload_file(USER, job.job_id, args.input, uploaded)
        runner.start()
        while True:
            detail = app.service.wait_for_change(USER, job.job_id, job.version, timeout=1.0)
            job = detail.job
            if show:
                done = sum(1 for s in detail.segments if s.status == "done")
                label = (
                    f"{job.status} {done}/{job.segment_count}"
                    if job.segment_count
                    else str(job.status)
                )
                print(bar(detail.progress, label), end="", file=sys.stderr)
            if job.status in FINISHED or not runner.is_alive():
                break
        if show:
            print(file=sys.stderr)
        if job.status != JobStatus.COMPLETED:
            reason = job.error or ("a worker died" if not runner.is_alive() else str(job.status))
            print(f"stereospot convert: failed: {reason}", file=sys.stderr)
            return 1
        stereo = app.converter is not None and app.converter.name == "engine"
        dest = output_path(args.output, args.format, stereo)
        dest.parent.mkdir(parents=True, exist_ok=True)
        final = ObjectRef("output", f"jobs/{job.job_id}/final.mp4")
        local = app.backend.objects.local_path(final)
        assert local is not None
        shutil.copyfile(local, dest)
        for line in comfort_lines(job.report):
            print(line, file=sys.stderr)
        print(dest)
        return 0
    finally:
        stop.set()
        if runner.is_alive():
            runner.join(timeout=30)
        app.close()


def comfort_lines(report: Any) -> list[str]:
    """The engine's comfort report, if the segments carried one (first segment's keys)."""
    segments = (report or {}).get("segments") or []
    comforts = [s["comfort"] for s in segments if isinstance(s, dict) and s.get("comfort")]
    if not comforts or not isinstance(comforts[0], dict):
        return []
    return ["comfort: " + ", ".join(f"{k}={v}" for k, v in comforts[0].items())]
