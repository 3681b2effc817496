"""The CLI: convert end to end, a worker whose loop dies exits non-zero."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from stereospot.cli import main
from stereospot.errors import StoreError
from stereospot.media.probe import probe
from stereospot.workers.roles import run_threads
from stereospot.workers.runtime import Worker
from stereospot_testing.videos import make_video


def test_convert_runs_the_whole_pipeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_video(tmp_path / "in.mp4", seconds=4, keyframes=[1.0, 2.2, 3.1], gop=250)
    out = tmp_path / "out" / "result.mp4"
    code = main(
        [
            "convert",
            str(source),
            "-o",
            str(out),
            "--segment-seconds",
            "1",
            "--converter",
            "passthrough",
            "--workers",
            "2",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == str(out)
    assert "100%" in captured.err
    assert probe(out).video_frames == probe(source).video_frames and probe(out).has_audio


def test_convert_refuses_a_missing_file(tmp_path: Path) -> None:
    assert main(["convert", str(tmp_path / "none.mp4"), "-o", str(tmp_path / "o.mp4")]) == 2


def test_a_dead_worker_loop_stops_the_process_with_status_1() -> None:
    class BrokenQueue:
        name = "broken"

        def receive(self, max_messages: int = 1, wait: float = 0) -> list[object]:
            raise StoreError("disk gone")

    def never(message: object, heartbeat: object) -> None:
        raise AssertionError("no message can arrive")

    broken = Worker("video-0", BrokenQueue(), never, visibility=30, max_queue_errors=1)  # type: ignore[arg-type]

    class Idle:
        name = "idle"

        def step(self, wait: float = 0) -> bool:
            return False

        def run(self, stop: threading.Event, drain: bool = False) -> None:
            stop.wait()

    assert run_threads([broken, Idle()], threading.Event()) == 1


def test_worker_drain_mode_returns_zero(tmp_path: Path) -> None:
    env = {"STEREOSPOT_DATA_DIR": str(tmp_path), "STEREOSPOT_CONVERTER": "passthrough"}
    for role in ("media", "video", "reconciler"):
        result = subprocess.run(
            [sys.executable, "-m", "stereospot", "worker", "--role", role, "--drain"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
