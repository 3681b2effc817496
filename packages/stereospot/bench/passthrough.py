r"""`stereospot convert --converter passthrough` as a user runs it, against a stream copy,
with the disk it needs on the way.

    git worktree add /tmp/stereospot-before <commit>      # optional: an earlier pipeline
    .venv/bin/python packages/stereospot/bench/passthrough.py \
        [--seconds 60] [--rounds 3] [--before /tmp/stereospot-before]

Every measure is a whole process, timed from spawn to exit, with its source and output in
one folder (one filesystem), as a user converting a film beside it would have them:
- copy: a fresh Python that re-muxes the clip with PyAV, packets copied and not decoded
  (what `ffmpeg -i SRC -c copy OUT` does; there is no ffmpeg program on this machine);
- CLI: `python -m stereospot convert SRC -o OUT --converter passthrough --quiet`;
- CLI, before: the same command with `--before`'s source first on PYTHONPATH.
Disk: while each process runs, the free space of the filesystem is sampled every 20 ms; its
largest drop (temporary files and the output, at their peak) is given as a share of the
source and output together (the goal: at most 1.2x). Each round runs the variants in a
fresh random order.
The clip is the pipeline bench's camera-like 1080p H.264 + AAC at 8 Mbit/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline import realistic_clip

COPY = r"""
import sys
import av

with av.open(sys.argv[1]) as src, av.open(sys.argv[2], "w") as dst:
    streams = {s.index: dst.add_stream_from_template(s) for s in src.streams
               if s.type in ("video", "audio")}
    for packet in src.demux(*[s for s in src.streams if s.index in streams]):
        if packet.dts is None:
            continue
        packet.stream = streams[packet.stream.index]
        dst.mux(packet)
"""


def free_bytes(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def run(command: list[str], folder: Path, env: dict[str, str]) -> tuple[float, int]:
    """(seconds, largest drop in free space while it ran)."""
    before = free_bytes(folder)
    lowest = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            lowest[0] = min(lowest[0], free_bytes(folder))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        subprocess.run(command, cwd=folder, env=env, check=True, capture_output=True)
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    return elapsed, before - lowest[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout with an earlier pipeline")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    variants: dict[str, dict[str, str]] = {"copy": env, "CLI": env}
    if args.before is not None:
        src = args.before / "packages" / "stereospot" / "src"
        if not (src / "stereospot").is_dir():
            raise SystemExit(f"{args.before}: no StereoSpot source there (git worktree add)")
        variants["CLI, before"] = {**env, "PYTHONPATH": str(src)}

    clip = realistic_clip(args.seconds, (1920, 1080))
    with tempfile.TemporaryDirectory(prefix="stereospot-passthrough-") as tmp:
        folder = Path(tmp)
        source = folder / "film.mp4"
        try:
            os.link(clip, source)  # the cached clip, without a copy of its own
        except OSError:
            source.write_bytes(clip.read_bytes())
        size = source.stat().st_size
        times: dict[str, list[float]] = {name: [] for name in variants}
        peaks: dict[str, list[float]] = {name: [] for name in variants}

        def once(name: str) -> None:
            out = folder / "out.mp4"
            out.unlink(missing_ok=True)
            if name == "copy":
                command = [python, "-c", COPY, str(source), str(out)]
            else:
                command = [python, "-m", "stereospot", "convert", str(source), "-o", str(out),
                           "--converter", "passthrough", "--quiet"]  # fmt: skip
            seconds, drop = run(command, folder, variants[name])
            output = out.stat().st_size
            times[name].append(seconds)
            peaks[name].append(drop / (size + output))
            out.unlink()

        print(f"{args.seconds} s 1080p clip, {size / 1e6:.1f} MB; one warm-up round...")
        for name in variants:
            once(name)
        for key in times:
            times[key].clear()
            peaks[key].clear()
        rng = random.Random(args.seed)
        for i in range(args.rounds):
            for name in rng.sample(list(variants), len(variants)):
                once(name)
            print(f"round {i + 1} of {args.rounds} done", flush=True)

    base = times["copy"]
    print(f"\n| measure | median of {args.rounds} | vs copy, paired (median, min-max) "
          "| peak disk written, of source + output |")  # fmt: skip
    print("|---|---|---|---|")
    for name in variants:
        ratios = [t / b for t, b in zip(times[name], base, strict=True)]
        cell = (
            f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
            if name != "copy"
            else ""
        )
        peak = max(peaks[name])
        print(f"| {name} | {statistics.median(times[name]):.2f} s | {cell} | {peak:.2f}x |")


if __name__ == "__main__":
    main()
