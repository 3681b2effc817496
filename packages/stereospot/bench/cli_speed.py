r"""`stereospot convert` as a user runs it, against a decode + encode floor, at 1080p.

    git worktree add /tmp/stereospot-before <commit>      # optional: an earlier renderer
    .venv/bin/python packages/stereospot/bench/cli_speed.py \
        [--seconds 8] [--rounds 3] [--formats half-sbs full-sbs] [--before /tmp/stereospot-before]

Every measure is a whole process, timed from spawn to exit:
- floor: a fresh Python that decodes the clip with the engine's own reader (a decode thread)
  and encodes every frame with its own writer (the same codec, preset, CRF and packed frame
  size as the engine), no depth and no warp;
- CLI: `python -m stereospot convert SRC -o OUT --format F --quiet` (classical depth, the
  default), in its own empty working folder;
- CLI, before: the same command with `--before`'s source first on PYTHONPATH (this .venv's
  packages otherwise), for the renderer it had.
Each round runs every measure of every format once, in a fresh random order; the table gives
medians and the per-round ratio to the floor of the same round (median, then min-max).
The source is an H.264 1080p30 clip of moving texture with a nearer block and AAC audio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine import scene

from stereospot_testing.engine_media import make_video

FLOOR = r"""
import queue, sys, threading
from pathlib import Path
from stereospot.engine import formats
from stereospot.engine.params import EngineParams
from stereospot.engine.video import VideoReader, VideoWriter

src, dst, fmt = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
p = EngineParams.parse({"format": fmt})
reader = VideoReader(src)
info = reader.info
eye = formats.eye_size(p.format, info.width, info.height)
size = formats.frame_size(p.format, info.width, info.height)
frames = queue.Queue(16)

def produce():
    for f in reader.frames((eye,)):
        frames.put(f)
    frames.put(None)

threading.Thread(target=produce, daemon=True).start()
writer = VideoWriter(dst, info, size, preset=p.preset, crf=p.crf, packing="left_right")
while (f := frames.get()) is not None:
    writer.write(formats.pack(p.format, f.images[0], f.images[0]), f.pts, f.time_base)
writer.close()
reader.close()
"""


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["half-sbs", "full-sbs"])
    parser.add_argument("--before", type=Path, help="a checkout with an earlier renderer")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    frames = round(args.seconds * 30)
    python = sys.executable
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    variants: dict[str, dict[str, str]] = {"CLI": base_env}
    if args.before is not None:
        src = args.before / "packages" / "stereospot" / "src"
        if not (src / "stereospot").is_dir():
            raise SystemExit(f"{args.before}: no StereoSpot source there (git worktree add)")
        variants["CLI, before"] = {**base_env, "PYTHONPATH": str(src)}

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"making a 1920x1080 clip of {frames} frames...", flush=True)
        clip = make_video(
            work / "clip.mp4", width=1920, height=1080, frames=frames, scene=scene, crf=20
        )
        cases = [(fmt, name) for fmt in args.formats for name in ("floor", *variants)]
        times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}

        def run(fmt: str, name: str) -> float:
            folder = work / f"{fmt}-{name.replace(', ', '-')}"
            folder.mkdir(exist_ok=True)
            out = folder / "out.mp4"
            out.unlink(missing_ok=True)
            if name == "floor":
                return timed([python, "-c", FLOOR, str(clip), str(out), fmt], folder, base_env)
            command = [python, "-m", "stereospot", "convert", str(clip), "-o", str(out)]
            return timed([*command, "--format", fmt, "--quiet"], folder, variants[name])

        print("one warm-up round (file cache, the compiled kernel's disk cache)...", flush=True)
        for case in cases:
            run(*case)
        rng = random.Random(args.seed)
        for i in range(args.rounds):
            for case in rng.sample(cases, len(cases)):
                times[case].append(run(*case))
            print(f"round {i + 1} of {args.rounds} done", flush=True)

    print(f"\n1920x1080 H.264 + AAC, {frames} frames; {args.rounds} rounds\n")
    print("| format | measure | median | vs floor, paired (median, min-max) |")
    print("|---|---|---|---|")
    for fmt in args.formats:
        floor = times[fmt, "floor"]
        for name in ("floor", *variants):
            values = times[fmt, name]
            ratios = [v / f for v, f in zip(values, floor, strict=True)]
            cell = (
                f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
                if name != "floor"
                else ""
            )
            print(f"| {fmt} | {name} | {statistics.median(values):.2f} s | {cell} |")


if __name__ == "__main__":
    main()
