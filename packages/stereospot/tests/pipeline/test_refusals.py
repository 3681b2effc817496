"""Sources that can never convert (not a video, no picture, larger than the server allows)
fail their job on the first delivery, with the reason on the job, before the converter is
asked to decode anything; nothing is left waiting for a redelivery, and no retry is
offered. Each test drains the pipeline once without moving the clock: a redelivery (5 s
later by the retry policy) cannot have run, so a FAILED job was failed by that one try."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from stereospot.bootstrap import App
from stereospot.errors import Conflict, SettingsError
from stereospot.jobs.models import JobStatus
from stereospot.media.admission import Unconvertible, admit
from stereospot.ports import QueuePair
from stereospot.settings import Settings
from stereospot_testing.backends import Harness
from stereospot_testing.hostile import CountingConverter, audio_only, text_named_mp4, too_wide
from stereospot_testing.pipeline import make_app, submit
from stereospot_testing.videos import make_video

TOO_WIDE = (
    "the video is 4608x256 pixels; this server converts videos of at most 4096 pixels on "
    "the longer side"
)
HOSTILE: list[tuple[Callable[[Path], Path], str]] = [
    (text_named_mp4, "the file is not a readable video"),
    (audio_only, "the file has no video stream"),
    (too_wide, TOO_WIDE),
]


def with_limit(harness: Harness, max_side: int) -> Harness:
    settings = dataclasses.replace(harness.settings, max_source_side=max_side)
    return dataclasses.replace(harness, settings=settings)


def waiting(pair: QueuePair) -> tuple[int, int]:
    """Messages left in a queue (hidden ones too) and in its dead-letter queue."""
    return pair.main.depth(), pair.dead.depth()


def assert_refused(app: App, job_id: str, reason: str) -> None:
    job = app.service.detail("ann", job_id).job
    assert (job.status, job.error, job.retryable) == (JobStatus.FAILED, reason, False)
    with pytest.raises(Conflict, match="retrying cannot help"):
        app.service.retry("ann", job_id)


@pytest.mark.parametrize(("make", "reason"), HOSTILE, ids=["text", "audio-only", "too-wide"])
def test_a_source_that_can_never_convert_fails_on_its_first_try(
    harness: Harness, tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    converter = CountingConverter()
    app = make_app(harness, converter=converter)
    job = submit(app, make(tmp_path))
    app.drain()
    assert_refused(app, job.job_id, f"chunking: {reason}")
    assert waiting(harness.backend.queues.chunking) == (0, 0)  # no redelivery scheduled
    assert converter.calls == []  # neither the pre-pass nor a conversion decoded a frame
    assert app.backend.objects.keys("input", f"segments/{job.job_id}/") == []


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_the_size_limit_is_a_setting(harness: Harness, tmp_path: Path) -> None:
    assert Settings.from_env({}).max_source_side == 4096
    assert Settings.from_env({"STEREOSPOT_MAX_SOURCE_SIDE": "8192"}).max_source_side == 8192
    with pytest.raises(SettingsError, match="STEREOSPOT_MAX_SOURCE_SIDE"):
        Settings.from_env({"STEREOSPOT_MAX_SOURCE_SIDE": "0"})
    roomy = make_app(with_limit(harness, 4608))
    wide = submit(roomy, too_wide(tmp_path))  # exactly at the raised limit: converted
    roomy.drain()
    assert roomy.service.detail("ann", wide.job_id).job.status == JobStatus.COMPLETED
    strict = make_app(with_limit(harness, 128))
    small = submit(strict, make_video(tmp_path / "small.mp4", seconds=0.5, size=(160, 96)))
    strict.drain()
    reason = "the video is 160x96 pixels; this server converts videos of at most 128 pixels"
    assert_refused(strict, small.job_id, f"chunking: {reason} on the longer side")


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_the_video_worker_refuses_an_oversized_segment_itself(
    harness: Harness, tmp_path: Path
) -> None:
    # Cut while the limit was higher; the limit has been lowered since (or the segment
    # never came through the chunker): the video worker looks before it converts.
    roomy = make_app(with_limit(harness, 8192))
    job = submit(roomy, too_wide(tmp_path))
    chunker = roomy.workers("media")[0]
    while chunker.step(0):
        pass
    assert roomy.service.detail("ann", job.job_id).job.status == JobStatus.CONVERTING
    converter = CountingConverter()
    app = make_app(harness, converter=converter)
    app.drain()
    assert_refused(app, job.job_id, f"segment 1: {TOO_WIDE}")
    assert waiting(harness.backend.queues.video) == (0, 0)
    assert converter.calls == []
    [segment] = app.service.detail("ann", job.job_id).segments
    assert (segment.status, segment.error) == ("failed", TOO_WIDE)


def test_admission_answers_from_the_headers_and_leaves_server_faults_to_retries(
    tmp_path: Path,
) -> None:
    assert admit(too_wide(tmp_path), 4608) == (4608, 256)
    with pytest.raises(Unconvertible, match="4608x256"):
        admit(too_wide(tmp_path), 4607)
    # A missing file is the server's problem, not the source's: it stays retryable.
    with pytest.raises(FileNotFoundError) as caught:
        admit(tmp_path / "gone.mp4", 4096)
    assert not isinstance(caught.value, Unconvertible)


def test_a_picture_that_starts_late_is_looked_for_before_it_is_refused(tmp_path: Path) -> None:
    # Six seconds of sound before the first picture: in MPEG-TS the quick look at the
    # headers finds a video stream of unknown size, FFmpeg's default probe finds its size.
    assert admit(late_picture(tmp_path / "late.ts", "mpegts"), 4096) == (640, 360)
    # In MPEG-PS not even the default probe sizes it: a size nobody can read is no size
    # the limit could be checked against, so the file is refused.
    with pytest.raises(Unconvertible, match="picture size cannot be read"):
        admit(late_picture(tmp_path / "late.mpg", "mpeg"), 4096)


def late_picture(path: Path, container: str, sound_seconds: int = 6) -> Path:
    with av.open(str(path), "w", format=container) as out:
        sound = out.add_stream("mp2", rate=48000)
        sound.codec_context.layout = "stereo"
        sound.bit_rate = 384000
        picture = out.add_stream("mpeg2video", rate=24)
        picture.width, picture.height, picture.pix_fmt = 640, 360, "yuv420p"
        noise = np.random.default_rng(7)
        for start in range(0, 48000 * sound_seconds, 1152):
            chunk = (noise.random((2, 1152), dtype=np.float32) - 0.5).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
        for n in range(12):
            image = np.full((360, 640, 3), n * 20, np.uint8)
            still = av.VideoFrame.from_ndarray(image, format="rgb24")
            still.pts, still.time_base = sound_seconds * 24 + n, Fraction(1, 24)
            out.mux(picture.encode(still))
        out.mux(picture.encode(None))
    return path
