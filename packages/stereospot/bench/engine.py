r"""StereoSpot engine speed on this machine: each stage alone, then the whole engine.

    make bench-stereospot BENCH=engine
    .venv/bin/python packages/stereospot/bench/engine.py \
        [--width 1280] [--height 720] [--frames 120] [--format half-sbs]

(the second from the repository's root, after `make install-bench`)

The floor is decode + encode alone (a decode thread feeding x264 through a bounded queue,
the same codecs, sizes and preset as the engine, no depth and no warp). Each line prints
fps and its time as a ratio to the floor's. Everything runs in this one process, warm (the
compiled renderer loaded first); bench/cli_speed.py measures the CLI as a user runs it.
"""

from __future__ import annotations

import argparse
import queue
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from stereospot.engine import formats
from stereospot.engine.convert import convert_file
from stereospot.engine.depth.classical import ClassicalDepth
from stereospot.engine.depth.onnx_backend import OnnxDepth
from stereospot.engine.dibr import render_pair
from stereospot.engine.dibr_kernel import ready, render_pair_compiled
from stereospot.engine.normalise import Normaliser
from stereospot.engine.params import EngineParams
from stereospot.engine.resize import resize_bilinear
from stereospot.engine.video import VideoReader, VideoWriter
from stereospot_testing.engine_media import make_video, tiny_red_model


def scene(i: int, w: int, h: int) -> np.ndarray:
    """Moving texture with a nearer block: real motion for the encoder, edges for the warp."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x + 3 * i) % 256, (y * 2) % 256, ((x // 40 + y // 40) % 2) * 160 + 40], 2)
    img[h // 3 : 2 * h // 3, w // 3 + i : w // 2 + i] = (230, 80, 40)
    noise = np.random.default_rng(i).integers(0, 24, (h, w, 1))
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--format", default="half-sbs")
    args = ap.parse_args()
    p = EngineParams.parse({"format": args.format})
    n = args.frames
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src = make_video(d / "src.mp4", width=args.width, height=args.height, frames=n,
                         rate=30, scene=scene, crf=20)  # fmt: skip
        model = tiny_red_model(d / "tiny.onnx", width=64, height=36)
        classical = ClassicalDepth()
        reader = VideoReader(src)
        info = reader.info
        eye = formats.eye_size(p.format, info.width, info.height)
        out_size = formats.frame_size(p.format, info.width, info.height)
        dsize = classical.input_size(info.width, info.height)
        reader.close()

        def decode_only() -> list:  # type: ignore[type-arg]
            r = VideoReader(src)
            frames = [f.images for f in r.frames((eye, dsize))]
            r.close()
            return frames

        t_decode = timed(decode_only)
        decoded = decode_only()
        eyes = [f[0] for f in decoded]
        smalls = np.stack([f[1] for f in decoded])
        packed = [formats.pack(p.format, e, e) for e in eyes]

        def encode_only() -> None:
            w = VideoWriter(d / "enc.mp4", info, out_size, preset=p.preset, crf=p.crf,
                            packing="left_right")  # fmt: skip
            for i, f in enumerate(packed):
                w.write(f, i, 1 / info.rate)  # type: ignore[arg-type]
            w.close()

        t_encode = timed(encode_only)

        def floor() -> None:
            q: queue.Queue = queue.Queue(16)  # type: ignore[type-arg]

            def produce() -> None:
                r = VideoReader(src)
                for f in r.frames((eye,)):
                    q.put(f)
                r.close()
                q.put(None)

            t = threading.Thread(target=produce)
            t.start()
            w = VideoWriter(d / "floor.mp4", info, out_size, preset=p.preset, crf=p.crf,
                            packing="left_right")  # fmt: skip
            while (f := q.get()) is not None:
                w.write(formats.pack(p.format, f.images[0], f.images[0]), f.pts, f.time_base)
            w.close()
            t.join()

        t_floor = timed(floor)
        batches = [smalls[i : i + p.batch] for i in range(0, n, p.batch)]
        raw: list[np.ndarray] = []
        t_depth = timed(
            lambda: raw.extend(np.concatenate([classical.estimate(b) for b in batches]))
        )
        onnx = OnnxDepth(model)
        osmall = np.zeros((p.batch, 36, 64, 3), np.uint8)
        t_onnx = timed(lambda: [onnx.estimate(osmall) for _ in batches])
        norm = Normaliser()
        depths = [norm(r) for r in raw]

        def render(renderer) -> None:  # type: ignore[no-untyped-def]
            for e, dm in zip(eyes, depths, strict=True):
                full = resize_bilinear(dm, e.shape[0], e.shape[1])
                left, right = renderer(e, full, edge_dilation=p.edge_dilation)
                formats.pack(p.format, left, right)

        t_render_numpy = timed(lambda: render(render_pair))
        ready()  # the kernel's load is the process's, not the frames'
        t_render = timed(lambda: render(render_pair_compiled))
        t_engine = timed(lambda: convert_file(src, d / "out.mp4", {"format": args.format}))
        onnx_params = {"format": args.format, "depth": "onnx", "model": str(model)}
        t_engine_onnx = timed(lambda: convert_file(src, d / "out2.mp4", onnx_params))

    rows = [
        ("decode H.264 -> eye + depth-size RGB", t_decode),
        (f"encode libx264 {p.preset} {out_size[0]}x{out_size[1]}", t_encode),
        ("depth, classical (batch 8)", t_depth),
        ("depth, ONNX tiny model (batch 8; runtime overhead only)", t_onnx),
        ("render, NumPy (the reference): upsample depth + DIBR both eyes + pack", t_render_numpy),
        ("render, compiled (what the engine runs), 1 thread", t_render),
        ("**floor: decode + encode, concurrent**", t_floor),
        ("**engine, classical depth, end to end**", t_engine),
        ("engine, ONNX tiny model, end to end", t_engine_onnx),
    ]
    slowest = max(t_decode, t_encode, t_depth, t_render)
    print(f"{args.width}x{args.height} H.264 source, {n} frames, {args.format} -> "
          f"{out_size[0]}x{out_size[1]}, preset {p.preset}, crf {p.crf}\n")  # fmt: skip
    print("| stage | fps | time vs floor | time vs slowest stage |")
    print("|---|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {n / t:.1f} | {t / t_floor:.2f}x | {t / slowest:.2f}x |")


if __name__ == "__main__":
    main()
