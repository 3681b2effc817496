"""The whole flow on each backend: upload, chunk, convert, complete, reassemble."""

from __future__ import annotations

from pathlib import Path

import pytest

from stereospot.jobs import keys
from stereospot.jobs.models import JobStatus, SegmentStatus
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import assert_matches_source, make_app, submit
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 7 s, keyframes at irregular times: cuts of 2 s land on 0, 2.9 and 5.5 s.
    folder = tmp_path_factory.mktemp("clips")
    return make_video(folder / "clip.mp4", seconds=7, keyframes=[1.3, 2.9, 4.1, 5.5], gop=250)


def test_final_has_the_sources_frames_duration_and_audio(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    job = submit(app, clip)
    app.drain()
    detail = app.service.detail("ann", job.job_id)
    assert detail.job.status == JobStatus.COMPLETED, detail.job
    assert detail.job.segment_count == 3
    assert [s.status for s in detail.segments] == [SegmentStatus.DONE] * 3
    assert detail.progress == 100 and detail.final_ready
    assert detail.download_name == "clip_Half_SBS_LR.mp4"
    info = assert_matches_source(app, job.job_id, clip)
    assert info.video_frames == 168  # stream copy: exactly the source's frames
    assert [j.job_id for j in app.service.list_completed("ann")] == [job.job_id]
    assert app.service.list_in_progress("ann") == []


def test_video_without_audio(harness: Harness, tmp_path: Path) -> None:
    silent = make_video(tmp_path / "silent.mov", seconds=3, audio=False, gop=24)
    app = make_app(harness)
    job = submit(app, silent)
    app.drain()
    assert app.service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED
    assert not assert_matches_source(app, job.job_id, silent).has_audio


def test_the_engine_converts_every_segment_and_leaves_preview_stills(
    harness: Harness, tmp_path: Path
) -> None:
    from stereospot.converters import Engine

    small = make_video(tmp_path / "small.mp4", seconds=3, gop=24)
    app = make_app(harness, converter=Engine())
    job = submit(app, small)
    app.drain()
    detail = app.service.detail("ann", job.job_id)
    assert detail.job.status == JobStatus.COMPLETED, detail.job
    # The job-level pre-pass ran once, before any segment, and every segment used it.
    assert detail.job.normalisation is not None
    info = assert_matches_source(app, job.job_id, small)
    assert (info.width, info.height) == (160, 96)  # Half SBS keeps the frame size
    for still, key in (("preview", keys.preview_key), ("depth", keys.depth_key)):
        assert app.service.media_link("ann", job.job_id, still).url
        copy = tmp_path / f"{still}.png"
        app.backend.objects.get_file(ObjectRef("output", key(job.job_id)), copy)
        assert copy.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
