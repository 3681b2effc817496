"""`stereospot convert IN -o OUT`: the whole pipeline on this machine, with a progress bar.

It is the same flow as on a fleet (chunk, convert segments in parallel, reassemble once)
on the local backend, in a hidden work folder beside OUT that is removed at the end: the
source is linked into it, not copied, when both are on one filesystem, and the result is
renamed onto OUT.

The result goes to exactly OUT: a script or a Makefile that names its output must find it
there. `--tag-name` asks for the VR players' tag instead (`OUT_Half_SBS_LR.mp4`), the name
the web UI's downloads carry. The last line on stdout says what was written, and where.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from stereospot.bootstrap import build
from stereospot.engine.model_names import (
    DEPTH_BACKENDS,
    ModelNameError,
    backend_of,
    check_model_name,
    installed,
)
from stereospot.errors import StereoSpotError
from stereospot.jobs import naming
from stereospot.jobs.comfort_summary import comfort_summary
from stereospot.jobs.models import FINISHED, FORMATS, JobStatus
from stereospot.media.probe import frame_size, header_duration
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
    command.add_argument(
        "--tag-name",
        action="store_true",
        help="add the VR players' layout tag to the output's name (OUT_Half_SBS_LR.mp4)",
    )
    command.add_argument("--format", choices=FORMATS, default="half-sbs")
    command.add_argument("--strength", type=float, default=2.0, help="divergence, %% of width")
    command.add_argument("--convergence", type=float, default=0.5)
    command.add_argument(
        "--depth",
        choices=DEPTH_BACKENDS,
        help="how depth is estimated (default: the installed model's backend, else classical)",
    )
    command.add_argument(
        "--model",
        metavar="NAME|PATH",
        help="a depth model: a name in $STEREOSPOT_MODEL_DIR (./models), or a file or folder "
        "(default: the first model installed there)",
    )
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


def output_path(requested: Path, fmt: str, stereo: bool, tag: bool) -> Path:
    """The path given, or with --tag-name the VR players' tag added unless the name has one.
    A 2D pass-through gets no tag: a player would split a flat picture in two."""
    if not (tag and stereo):
        return requested
    return requested.with_name(naming.tagged(requested.name, fmt, requested.suffix or ".mp4"))


def human_size(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def wrote_line(
    dest: Path, fmt: str, converter: str, stereo: bool, depth: DepthChoice | None = None
) -> str:
    """The line a person reads last: where the result is, and what it is."""
    width, height = frame_size(dest)
    kind = fmt if stereo else f"2D copy by the {converter} converter, not stereo"
    if stereo and depth is not None:
        kind += f", {depth.depth} depth" + (f" from {depth.model}" if depth.model else "")
    size = human_size(dest.stat().st_size)
    return f"stereospot convert: wrote {dest.absolute()} ({kind}, {width}x{height}, {size})"


def run(args: argparse.Namespace) -> int:
    if not args.input.is_file():
        print(f"stereospot convert: no such file: {args.input}", file=sys.stderr)
        return 2
    if args.output.is_dir():
        # Found now, not after a conversion that may take hours.
        print(f"stereospot convert: {args.output} is a folder, not a file name", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {"backend": "local", "inference": "inprocess"}
    # The web's limits on what one user may store do not bind someone converting their
    # own file on their own machine (the folder store still takes at most 10,000 parts).
    overrides.update(max_upload_bytes=1 << 60, max_stored_bytes=1 << 60)
    if args.segment_seconds:
        overrides["segment_seconds"] = args.segment_seconds
    if args.workers:
        overrides["video_workers"] = args.workers
    if args.converter:
        overrides["converter"] = args.converter
    # The work folder sits beside the output: on that filesystem the source is linked in
    # rather than copied (when it is there too) and the result is renamed onto OUT.
    folder = args.output.absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        work = tempfile.TemporaryDirectory(prefix=".stereospot-convert-", dir=folder)
    except OSError as exc:
        print(f"stereospot convert: cannot write in {folder}: {exc.strerror}", file=sys.stderr)
        return 2
    with work as data:
        try:
            # Short polls: a worker sees the stop, and this loop the finished job, within
            # 50 ms rather than a second; the queues' own waits are woken by each commit.
            settings = Settings.from_env(None, data_dir=Path(data), poll_seconds=0.05, **overrides)
            choice = (
                DepthChoice("classical", None, settings.model_dir)
                if args.converter == "passthrough"  # a 2D copy: depth plays no part
                else choose_depth(args.depth, args.model, settings.model_dir, Path(data))
            )
            if isinstance(choice, str):
                print(f"stereospot convert: {choice}", file=sys.stderr)
                return 2
            if choice.notice:
                print(f"stereospot convert: {choice.notice}", file=sys.stderr)
            settings = dataclasses.replace(settings, model_dir=choice.folder)
            return convert(settings, args, choice)
        except StereoSpotError as exc:
            print(f"\nstereospot convert: {exc}", file=sys.stderr)
            return 1


@dataclasses.dataclass(frozen=True)
class DepthChoice:
    depth: str
    model: str | None  # a name in `folder`
    folder: Path
    notice: str = ""  # said before converting


def choose_depth(
    depth: str | None, model: str | None, folder: Path, scratch: Path
) -> DepthChoice | str:
    """What `--depth` and `--model` ask for, or an error message. A path is linked into a
    folder of its own under `scratch`, since jobs name models and never carry paths."""
    # A name with a separator is a path; a bare name is one in the folder unless only a
    # file here carries it.
    if model is not None and (
        os.sep in model or (Path(model).exists() and not (folder / model).exists())
    ):
        if not Path(model).exists():
            return f"no such file or folder: {model}"
        path = Path(model).absolute()
        backend = backend_of(path)
        if backend is None:
            return f"{model}: not a depth model (an .onnx file, or a folder with config.json)"
        folder = scratch / "models"
        folder.mkdir(exist_ok=True)
        name = path.name
        if not _is_model_name(name):
            name = "model.onnx" if backend == "onnx" else "model"
        (folder / name).symlink_to(path)
        return _with_backend(depth, backend, name, folder)
    models = installed(folder)
    if model is not None:
        if model not in models:
            have = ", ".join(models) or "none"
            return (
                f"no depth model {model!r} in {folder} (installed: {have}); "
                "`stereospot models fetch NAME` gets one, or give a file's path"
            )
        return _with_backend(depth, models[model], model, folder)
    if depth == "classical":
        return DepthChoice("classical", None, folder)
    if not models:
        if depth is not None:
            return f"--depth {depth} needs a model, and {folder} has none: pass --model"
        return DepthChoice(
            "classical",
            None,
            folder,
            f"no depth model in {folder}, so classical depth (flat and often wrong); "
            "`stereospot models fetch NAME` gets a neural one",
        )
    usable = [n for n, b in models.items() if depth in (None, b)]
    if not usable:
        return f"no {depth} model in {folder} (installed: {', '.join(models)})"
    first = usable[0]
    return DepthChoice(models[first], first, folder, f"depth model {first} ({models[first]})")


def _is_model_name(name: str) -> bool:
    try:
        check_model_name(name)
    except ModelNameError:
        return False
    return True


def _with_backend(depth: str | None, backend: str, name: str, folder: Path) -> DepthChoice | str:
    if depth not in (None, backend):
        return f"--depth {depth} cannot read {name}, a {backend} model"
    return DepthChoice(backend, name, folder)


def convert(settings: Settings, args: argparse.Namespace, depth: DepthChoice) -> int:
    app = build(settings)
    show = not args.quiet
    stop = threading.Event()
    # One segment: its one video worker runs as a thread here rather than as a process
    # that would import everything again (about 0.5 s of a short clip's conversion).
    alone = single_segment(args.input, settings.segment_seconds)
    workers = (
        app.local_workers(video=1, processes=False, quiet=True)
        if alone
        else app.local_workers(quiet=True)
    )
    runner = threading.Thread(target=lambda: run_threads(workers, stop), daemon=True)
    try:
        params = {
            "format": args.format,
            "divergence": args.strength,
            "convergence": args.convergence,
            "depth": depth.depth,
            "model": depth.model,
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
        converter = app.converter.name if app.converter is not None else "inference"
        stereo = converter == "engine"
        dest = output_path(args.output, args.format, stereo, args.tag_name)
        final = ObjectRef("output", f"jobs/{job.job_id}/final.mp4")
        local = app.backend.objects.local_path(final)
        assert local is not None
        publish(local, dest)
        for line in comfort_lines(job.report, args.strength):
            print(line, file=sys.stderr)
        print(wrote_line(dest, args.format, converter, stereo, depth))
        return 0
    finally:
        stop.set()
        if app.backend.changes is not None:
            app.backend.changes.release_waits()  # the workers' receives return at once
        if runner.is_alive():
            runner.join(timeout=30)
        app.close()


def single_segment(source: Path, segment_seconds: float) -> bool:
    """Whether the chunker will make one segment of `source` (it cuts at the first keyframe
    at or after each `segment_seconds`); False when that cannot be told here."""
    try:
        duration = header_duration(source)
    except (StereoSpotError, OSError, ValueError):  # the chunker will say why, in the job
        return False
    return duration is not None and duration <= segment_seconds


def publish(source: Path, dest: Path) -> None:
    """Move the result onto `dest` (a rename: the work folder is on its filesystem), or
    copy it beside `dest` and rename, where that fails: an interrupted copy never leaves a
    truncated film under the name the user asked for."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, dest)
        return
    except OSError:
        pass
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def comfort_lines(report: Any, divergence: float) -> list[str]:
    """The job's comfort report, in two lines, when the engine made one."""
    summary = comfort_summary(report, divergence)
    if summary is None:
        return []
    behind, front = summary.parallax_range_pct
    return [
        f"comfort: parallax {behind:g} to {front:g} % of the width over {summary.frames} "
        f"frames; {summary.beyond_share:.0%} past a limit, "
        f"{summary.border_violation_share:.0%} with near content at the edges",
        f"comfort: {summary.advice}",
    ]
