"""A test render: ten seconds from a chosen time, converted like any job but without
sound, then the whole film from the same upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from stereospot.errors import InvalidInput
from stereospot.jobs.models import JobStatus
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import final_info, make_app, submit
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 16 s, a keyframe every 2 s.
    folder = tmp_path_factory.mktemp("clips")
    return make_video(folder / "clip.mp4", seconds=16, gop=48)


def test_a_test_render_converts_ten_seconds_then_the_whole_film_follows(
    harness: Harness, clip: Path
) -> None:
    app = make_app(harness)
    trial = submit(app, clip, trial_start=3.0)
    app.drain()
    done = app.service.detail("ann", trial.job_id)
    assert done.job.status == JobStatus.COMPLETED, done.job
    assert done.job.params["trial_start"] == 3.0 and done.job.segment_count == 1
    info = final_info(app, trial.job_id)
    # From the keyframe at or before 3 s (2 s) to the first one at least ten seconds past
    # 3 s (14 s): all of what was asked for, and no sound.
    assert info.video_frames == 12 * 24 and not info.has_audio
    # The whole film from the same upload, with its sound.
    whole = app.service.rerun("ann", trial.job_id, {"trial_start": None})
    assert "trial_start" not in whole.params
    app.drain()
    assert app.service.detail("ann", whole.job_id).job.status == JobStatus.COMPLETED
    info = final_info(app, whole.job_id)
    assert info.video_frames == 16 * 24 and info.has_audio


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_test_render_near_the_end_runs_to_the_end(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    trial = submit(app, clip, trial_start=13.5)
    app.drain()
    assert app.service.detail("ann", trial.job_id).job.status == JobStatus.COMPLETED
    assert final_info(app, trial.job_id).video_frames == 4 * 24  # 12 s to the end at 16 s


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_test_render_starts_inside_the_video(harness: Harness) -> None:
    app = make_app(harness)
    for bad in (-1.0, float("nan"), float("inf"), 24 * 3600 + 1):
        with pytest.raises(InvalidInput, match="test render"):
            app.service.create_job("ann", "clip.mp4", {"trial_start": bad})


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_test_render_after_the_end_fails_saying_so(harness: Harness, clip: Path) -> None:
    app = make_app(harness)
    trial = submit(app, clip, trial_start=95.0)
    app.drain()
    job = app.service.detail("ann", trial.job_id).job
    assert job.status == JobStatus.FAILED and not job.retryable
    assert job.error == "chunking: the test render starts at 95 s, after the video's end at 16.0 s"
