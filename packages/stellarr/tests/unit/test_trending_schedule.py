"""The scheduler in `serve`, on an injected clock and sleep: when it runs the warmer."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from stellarr.services.trending import Summary
from stellarr.services.trending_destinations import LocalFolder
from stellarr.services.trending_schedule import PERIOD_SECONDS, RETRY_SECONDS, TrendingSchedule

NOW = 1_900_000_000.0
NAMES = ["trending-all-en.json", "trending-tv-en.json"]
HOUR = 3600.0


class Stop(Exception):
    """Ends run_forever after the sleeps a test wants to see."""


class Recorder:
    def __init__(self, folder: Path, sleeps: int, fail: bool = False) -> None:
        self.folder = folder
        self.sleeps_left = sleeps
        self.fail = fail
        self.events: list[str] = []
        self.now = NOW

    async def sleep(self, seconds: float) -> None:
        self.events.append(f"sleep {seconds / HOUR:g}h")
        if not self.sleeps_left:
            raise Stop
        self.sleeps_left -= 1
        self.now += seconds

    async def warm(self) -> Summary:
        self.events.append("warm")
        if self.fail:
            raise RuntimeError("TMDB is down")
        for name in NAMES:
            write(self.folder / name, self.now)
        return {"all-en": {"status": "ok", "items": 1, "bytes": 2}}


def write(path: Path, when: float) -> None:
    path.write_bytes(b"{}")
    os.utime(path, (when, when))


async def run(folder: Path, recorder: Recorder) -> list[str]:
    schedule = TrendingSchedule(
        recorder.warm,
        lambda: LocalFolder(folder).oldest_mtime(NAMES),
        clock=lambda: recorder.now,
        sleep=recorder.sleep,
    )
    with pytest.raises(Stop):
        await schedule.run_forever()
    return recorder.events


async def test_missing_files_are_warmed_at_start_up_then_daily(tmp_path: Path) -> None:
    events = await run(tmp_path, Recorder(tmp_path, sleeps=1))
    assert events == ["warm", "sleep 24h", "warm", "sleep 24h"]


async def test_fresh_files_wait_until_they_are_a_day_old(tmp_path: Path) -> None:
    write(tmp_path / NAMES[0], NOW - HOUR)
    write(tmp_path / NAMES[1], NOW - 5 * HOUR)
    events = await run(tmp_path, Recorder(tmp_path, sleeps=1))
    assert events == ["sleep 19h", "warm", "sleep 24h"]  # the stalest file sets the time


async def test_one_stale_file_is_warmed_at_start_up(tmp_path: Path) -> None:
    write(tmp_path / NAMES[0], NOW - HOUR)
    write(tmp_path / NAMES[1], NOW - PERIOD_SECONDS - 1)
    events = await run(tmp_path, Recorder(tmp_path, sleeps=0))
    assert events == ["warm", "sleep 24h"]


async def test_a_failed_run_is_logged_and_tried_again_within_the_hour(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        events = await run(tmp_path, Recorder(tmp_path, sleeps=1, fail=True))
    assert events == ["warm", f"sleep {RETRY_SECONDS / HOUR:g}h", "warm", "sleep 1h"]
    assert "trending: the scheduled run failed" in caplog.text
    assert "TMDB is down" in caplog.text
