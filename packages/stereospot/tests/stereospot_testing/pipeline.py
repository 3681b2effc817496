"""Building an App on a test harness, submitting a clip, and checking the final file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from stereospot.bootstrap import App, build
from stereospot.converters import Converter, PassThrough
from stereospot.jobs.models import Job
from stereospot.media.probe import MediaInfo, probe
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness


def make_app(h: Harness, converter: Converter | None = None, **kwargs: Any) -> App:
    return build(
        h.settings, clock=h.clock, backend=h.backend, converter=converter or PassThrough(), **kwargs
    )


def submit(app: App, source: Path, user: str = "ann", **params: Any) -> Job:
    job = app.service.create_job(user, source.name, {"format": "half-sbs", **params})
    return app.service.upload_file(user, job.job_id, source)


def final_info(app: App, job_id: str) -> MediaInfo:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "final.mp4"
        app.backend.objects.get_file(ObjectRef("output", f"jobs/{job_id}/final.mp4"), path)
        return probe(path)


def assert_matches_source(app: App, job_id: str, source: Path) -> MediaInfo:
    """final.mp4 has the source's frames (±1 per seam), duration and audio."""
    job = app.backend.jobs.get(job_id)
    assert job is not None and job.segment_count is not None
    seams = job.segment_count - 1
    want, got = probe(source), final_info(app, job_id)
    assert abs(got.video_frames - want.video_frames) <= max(seams, 0) + 0
    assert abs(got.duration - want.duration) <= (seams + 1) / 24
    assert got.has_audio == want.has_audio
    return got
