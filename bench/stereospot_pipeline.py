"""StereoSpot pipeline benchmarks; ratios against a baseline measured in the same run.

1. Local pipeline wall time for a 60 s 1080p clip (pass-through converter) vs one plain
   PyAV re-mux of the same clip.                                           target <= 1.3x
2. Speed-up of 2 vs 1 video worker (processes) with a decode + re-encode converter.
                                                                           target >= 1.6x
3. Local queue: send + receive + delete of 10,000 messages vs a bare SQLite
   insert / select / delete loop of the same rows (one transaction per operation each).
4. The same end-to-end run on moto (server mode) vs locally: per-segment extra time
   against the workers' polling interval.

Usage: uv run python bench/stereospot_pipeline.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "stereospot" / "tests"))

from stereospot.bootstrap import build  # noqa: E402
from stereospot.jobs.models import FINISHED, JobStatus  # noqa: E402
from stereospot.local.database import Database  # noqa: E402
from stereospot.local.queue import SQLiteQueue  # noqa: E402
from stereospot.settings import Settings  # noqa: E402
from stereospot.workers.roles import run_threads  # noqa: E402
from stereospot_testing.videos import make_video  # noqa: E402

POLL = 0.05
QUIET = True


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def remux(src: Path, dst: Path) -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        streams = {
            s.index: out.add_stream_from_template(s)
            for s in (*inp.streams.video, *inp.streams.audio)
        }
        for packet in inp.demux(*inp.streams.video, *inp.streams.audio):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)


def pipeline(settings: Settings, source: Path, video: int) -> float:
    """Wall time from job creation to completed, with every role running (video workers
    as processes on the local backend, threads on moto)."""
    app = build(settings)
    stop = threading.Event()
    workers = app.local_workers(video, processes=settings.backend == "local", quiet=QUIET)
    runner = threading.Thread(target=run_threads, args=(workers, stop), daemon=True)
    runner.start()
    time.sleep(1.5)  # let worker processes import before the clock starts
    try:
        start = time.perf_counter()
        job = app.service.create_job("bench", source.name, {})
        app.service.upload_file("bench", job.job_id, source)
        while job.status not in FINISHED:
            job = app.service.wait_for_change("bench", job.job_id, job.version, 5).job
        elapsed = time.perf_counter() - start
        assert job.status == JobStatus.COMPLETED, job.error
        return elapsed
    finally:
        stop.set()
        runner.join()
        app.close()


def queue_bench(folder: Path, n: int) -> tuple[float, float]:
    db = Database(folder / "queue.db")
    db.open()
    queue = SQLiteQueue(db, "bench", visibility=60)

    def ours() -> None:
        for i in range(n):
            queue.send(f"message {i}")
        while batch := queue.receive(1):
            queue.delete(batch[0].receipt)

    ours_s = timed(ours)
    db.close()
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, body TEXT, visible_at REAL)")

    def bare() -> None:
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO m (body, visible_at) VALUES (?, 0)", (f"message {i}",))
            conn.execute("COMMIT")
        while True:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT id FROM m WHERE visible_at <= 1 ORDER BY id LIMIT 1"
            ).fetchone()
            conn.execute("COMMIT")
            if row is None:
                return
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM m WHERE id = ?", row)
            conn.execute("COMMIT")

    bare_s = timed(bare)
    conn.close()
    return ours_s, bare_s


def moto_run(source: Path, seconds: float) -> float:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    from stereospot.aws.provision import provision

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        port = server.get_host_and_port()[1]
        settings = Settings.from_env(
            {},
            backend="aws",
            aws_endpoint_url=f"http://127.0.0.1:{port}",
            signing_key="b" * 40,
            converter="passthrough",
            segment_seconds=seconds,
            poll_seconds=POLL,
            input_bucket="bench-in",
            output_bucket="bench-out",
        )
        provision(settings)
        return pipeline(settings, source, 1)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s clips, 1,000 messages")
    args = parser.parse_args()
    seconds = 10 if args.quick else 60
    with tempfile.TemporaryDirectory(prefix="stereospot-bench-") as tmp:
        folder = Path(tmp)
        clip = make_video(folder / "clip1080.mp4", seconds=seconds, size=(1920, 1080), gop=48)
        size_mb = clip.stat().st_size / 1e6

        def local(name: str, **kw: Any) -> Settings:
            values = {"data_dir": folder / name, "converter": "passthrough", "poll_seconds": POLL}
            return Settings.from_env({}, **{**values, **kw})

        base = min(timed(lambda: remux(clip, folder / "remux.mp4")) for _ in range(3))
        default = pipeline(local("p60"), clip, 2)
        short = pipeline(local("p10", segment_seconds=10), clip, 2)
        print(f"1. {seconds} s 1080p clip ({size_mb:.1f} MB): one PyAV re-mux {base:.2f} s")
        print(f"   pipeline, 60 s segments: {default:.2f} s = {default / base:.2f}x")
        print(f"   pipeline, 10 s segments: {short:.2f} s = {short / base:.2f}x")

        cpu_clip = make_video(
            folder / "clip720.mp4", seconds=seconds // 2, size=(1280, 720), gop=48
        )
        one = pipeline(local("r1", segment_seconds=5, converter="reencode"), cpu_clip, 1)
        two = pipeline(local("r2", segment_seconds=5, converter="reencode"), cpu_clip, 2)
        print(
            f"2. decode + re-encode, {seconds // 2} s 720p in 5 s segments: 1 worker {one:.2f} s, "
            f"2 workers {two:.2f} s, speed-up {one / two:.2f}x"
        )

        n = 1000 if args.quick else 10_000
        ours, bare = queue_bench(folder, n)
        print(
            f"3. {n} messages: local queue {ours:.2f} s ({3 * n / ours:.0f} ops/s), "
            f"bare SQLite {bare:.2f} s, ratio {ours / bare:.2f}x"
        )

        small = make_video(folder / "clip360.mp4", seconds=seconds, size=(640, 360), gop=48)
        on_local = pipeline(local("m", segment_seconds=10), small, 1)
        on_moto = moto_run(small, 10)
        segments = max(1, seconds // 10)
        extra = (on_moto - on_local) / segments
        print(
            f"4. {seconds} s 360p, {segments} segments, 1 video worker: local {on_local:.2f} s, "
            f"moto {on_moto:.2f} s; extra per segment {extra:.3f} s (poll interval {POLL} s)"
        )


if __name__ == "__main__":
    main()
