"""A web app per test over a local backend (SQLite + a folder, fake clock) and the
pass-through converter; `ann` and `bob` can log in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from stereospot.bootstrap import App
from stereospot.jobs.models import Job
from stereospot.web.app import create_app
from stereospot_testing.backends import Harness, make_harness
from stereospot_testing.pipeline import make_app, submit
from stereospot_testing.videos import make_video
from stereospot_testing.web_client import USERS


@dataclass
class Site:
    harness: Harness
    app: App
    web: FastAPI

    def finished_job(self, clip: Path, user: str = "ann") -> Job:
        job = submit(self.app, clip, user=user)
        self.app.drain()
        return job


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=3, gop=24)


@pytest.fixture
def site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    harness = make_harness("local", tmp_path, request)
    app = make_app(harness)
    try:
        yield Site(harness, app, create_app(app.service, users=USERS))
    finally:
        app.close()
