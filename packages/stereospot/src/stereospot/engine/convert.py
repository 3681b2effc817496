"""The engine's entry points: `convert_file` for one video, `prepass` for a whole job.

    decode ──q──▶ depth (batched, normalised in order) ──q──▶ render (k) ──q──▶ encode + mux
    (PyAV, swscale     (DepthEstimator port;            (DIBR, packing)   (x264/x265, audio)
     to eye + depth     comfort statistics)
     sizes)

Every stage is a thread joined to the next by a bounded queue (see `stages`); the output is
written to a hidden temporary file beside `dst` and renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from stereospot.engine import formats
from stereospot.engine.comfort import ComfortMeter
from stereospot.engine.depth.factory import make_estimator
from stereospot.engine.dibr import render_with
from stereospot.engine.normalise import Normaliser, job_normalisation, robust_range
from stereospot.engine.params import EngineParams
from stereospot.engine.stages import END, Stages, Stopped
from stereospot.engine.video import Decoded, VideoReader, VideoWriter
from stereospot.media.span import Span

PREPASS_SAMPLES = 24
QUEUE_FRAMES = 16  # frames in flight between two stages: a few batches, never the film


def render_workers() -> int:
    # One renderer per spare core: decode and x264 keep the others busy.
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def convert_file(
    src: Path,
    dst: Path,
    params: Mapping[str, Any],
    progress: Callable[[int], None] | None = None,
    span: Span | None = None,
) -> Mapping[str, Any]:
    """Convert one video (a segment or a whole film) to stereo; returns a JSON-able report.
    With `span`, only that stretch of `src` (media.span), without its audio.

    `progress(percent)` is called as frames are written; an exception it raises stops the
    conversion and leaves nothing at `dst`.
    """
    p = EngineParams.parse(params)
    started = time.perf_counter()
    estimator = make_estimator(p)
    reader = VideoReader(src, span)
    info = reader.info
    eye = formats.eye_size(p.format, info.width, info.height)
    out_size = formats.frame_size(p.format, info.width, info.height)
    depth_in = estimator.input_size(info.width, info.height)
    normaliser = Normaliser.from_job(p.normalisation, estimator.name)
    normaliser.momentum = p.smoothing
    comfort = ComfortMeter(p.convergence, p.divergence, p.border_fade)
    packing = (
        "left_right"
        if formats.is_side_by_side(p.format)
        else "top_bottom"
        if formats.is_top_bottom(p.format)
        else None
    )
    dst.parent.mkdir(parents=True, exist_ok=True)
    partial = dst.with_name(f".{dst.stem}.partial{dst.suffix or '.mp4'}")
    writer = VideoWriter(
        partial, info, out_size, preset=p.preset, crf=p.crf, packing=packing, audio=reader.audio
    )
    stages = Stages()
    decoded = stages.channel(QUEUE_FRAMES)
    depths = stages.channel(QUEUE_FRAMES)
    rendered = stages.channel(QUEUE_FRAMES)
    audio: list[Any] = []
    audio_lock = threading.Lock()

    def take_audio(packet: Any) -> None:
        with audio_lock:
            audio.append(packet)

    def decode() -> None:
        frames = reader.frames((eye, depth_in), audio_out=take_audio)
        for item in stages.timed("decode", frames):
            stages.put(decoded, item)

    def depth() -> None:
        batch: list[Decoded] = []

        def flush() -> None:
            start = time.perf_counter()
            raw = estimator.estimate(np.stack([d.images[1] for d in batch]))
            normalised = []
            for d, r in zip(batch, raw, strict=True):
                norm = normaliser(r)
                comfort.add(norm)
                normalised.append((d, norm))
            stages.add_time("depth", time.perf_counter() - start)
            for item in normalised:
                stages.put(depths, item)
            batch.clear()

        for d in stages.items(decoded):
            batch.append(d)
            if len(batch) >= p.batch:
                flush()
        if batch:
            flush()

    workers = render_workers()
    remaining = [workers]

    def render() -> None:
        from stereospot.engine.dibr_kernel import ready

        ready()  # numba and the kernel load while the first frames decode and get depth
        for d, norm in stages.items(depths):
            start = time.perf_counter()
            _, left, right = render_with(p, d.images[0], norm)
            frame = formats.pack(p.format, left, right)
            stages.add_time("render", time.perf_counter() - start)
            stages.put(rendered, (d, frame))
        stages.put(depths, END)  # let the sibling renderers see the end too
        with audio_lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            stages.put(rendered, END)

    stages.spawn("decode", decode, decoded)
    stages.spawn("depth", depth, depths)
    for i in range(workers):
        stages.spawn(f"render-{i}", render, None)

    written = 0
    try:
        written = _encode(stages, rendered, writer, audio, audio_lock, info.frames, progress)
        stages.join()
        writer.close()
        os.replace(partial, dst)
    except BaseException as exc:
        stages.fail(exc)
        _quietly_join(stages)
        _quietly_close(writer)
        partial.unlink(missing_ok=True)
        if isinstance(exc, Stopped) and stages.error is not None and stages.error is not exc:
            raise stages.error from None  # the stage's own failure, not the knock-on stop
        raise
    finally:
        reader.close()
    wall = time.perf_counter() - started
    return {
        "frames": written,
        "fps": float(info.rate),
        "rate": f"{info.rate.numerator}/{info.rate.denominator}",
        "format": p.format.value,
        "size": list(out_size),
        "codec": writer.codec,
        "audio": writer.audio_mode,
        "depth": estimator.name,
        "normalisation": {
            "mode": "job" if normaliser.fixed else "ema",
            "low": normaliser.low,
            "high": normaliser.high,
        },
        "divergence": p.divergence,
        "convergence": p.convergence,
        "comfort": comfort.report(),
        "timings": {
            **{f"{k}_busy_s": round(v, 3) for k, v in sorted(stages.busy.items())},
            "wall_s": round(wall, 3),
            "speed_fps": round(written / wall, 2) if wall else None,
        },
    }


def _encode(
    stages: Stages,
    rendered: Any,
    writer: VideoWriter,
    audio: list[Any],
    audio_lock: threading.Lock,
    total: int,
    progress: Callable[[int], None] | None,
) -> int:
    # Renderers finish out of order; frames are written strictly by index.
    waiting: dict[int, tuple[Decoded, Any]] = {}
    next_index = 0
    last_percent = -1
    for item in stages.items(rendered):
        waiting[item[0].index] = item
        while next_index in waiting:
            d, frame = waiting.pop(next_index)
            start = time.perf_counter()
            with audio_lock:
                pending = audio[:]
                audio.clear()
            for packet in pending:
                writer.write_audio(packet)
            writer.write(frame, d.pts, d.time_base)
            stages.add_time("encode", time.perf_counter() - start)
            next_index += 1
            percent = min(99, next_index * 100 // max(total, 1))
            if progress is not None and percent != last_percent:
                last_percent = percent
                progress(percent)
    with audio_lock:
        for packet in audio:
            writer.write_audio(packet)
        audio.clear()
    if progress is not None:
        progress(100)
    return next_index


def _quietly_join(stages: Stages) -> None:
    # The first error is already on its way up; a second from another stage adds nothing.
    with contextlib.suppress(BaseException):
        stages.join()


def _quietly_close(writer: VideoWriter) -> None:
    # The half-written file is deleted next anyway.
    with contextlib.suppress(Exception):
        writer.container.close()


def prepass(src: Path, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """Sample frames across the whole source and fix the job's depth normalisation.

    The result is JSON-able; pass it back as `params["normalisation"]` for every segment
    so all of them map depth to disparity the same way and no seam jumps.
    """
    p = EngineParams.parse({**params, "normalisation": None})
    estimator = make_estimator(p)
    reader = VideoReader(src)
    try:
        size = estimator.input_size(reader.info.width, reader.info.height)
        count = max(1, min(PREPASS_SAMPLES, reader.info.frames))
        frames = reader.sample(count, size)
    finally:
        reader.close()
    ranges: list[tuple[float, float]] = []
    for i in range(0, len(frames), p.batch):
        for depth in estimator.estimate(np.stack(frames[i : i + p.batch])):
            ranges.append(robust_range(depth))
    return job_normalisation(ranges, estimator.name)
