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
            "--tag-name",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # A 2D copy says so, and never carries a stereo tag (a player would split it in two).
    size = f"{out.stat().st_size / 1000:.1f} kB"
    assert captured.out == (
        f"stereospot convert: wrote {out} "
        f"(2D copy by the passthrough converter, not stereo, 160x96, {size})\n"
    )
    assert [p.name for p in out.parent.iterdir()] == ["result.mp4"]
    assert "100%" in captured.err
    assert probe(out).video_frames == probe(source).video_frames and probe(out).has_audio


def test_convert_refuses_a_missing_file(tmp_path: Path) -> None:
    assert main(["convert", str(tmp_path / "none.mp4"), "-o", str(tmp_path / "o.mp4")]) == 2


def test_convert_refuses_a_folder_as_output_before_converting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.mp4"
    source.write_bytes(b"not read: the output is checked first")
    assert main(["convert", str(source), "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"stereospot convert: {tmp_path} is a folder, not a file name\n"
    )


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
