"""What the job page says while work goes on: the bar during chunking, frames per second
and the time left while converting (over every worker, since the segments began or since
a retry), and the words for them."""

from __future__ import annotations

import pytest

from stereospot.jobs.models import Job, JobStatus, SegmentState, SegmentStatus
from stereospot.jobs.views import JobDetail, overall_progress, pace
from stereospot.web.filters import pace_line, time_left

NOW = 1_000_000.0


def job(status: JobStatus = JobStatus.CONVERTING, **fields: object) -> Job:
    values: dict[str, object] = {
        "job_id": "j",
        "owner": "ann",
        "status": status,
        "created_at": NOW - 100,
        "updated_at": NOW,
        "filename": "film.mp4",
        "source_ext": "mp4",
        "params": {},
        "segment_count": 4,
        "frames": 2400,
        "converting_since": NOW - 30,
    }
    values.update(fields)
    return Job(**values)  # type: ignore[arg-type]


# One segment done, one half way: 150 of 400.
HALF_WAY = [
    SegmentState(0, SegmentStatus.DONE, 100),
    SegmentState(1, SegmentStatus.CONVERTING, 50),
    SegmentState(2, SegmentStatus.PENDING),
    SegmentState(3, SegmentStatus.PENDING),
]


@pytest.mark.parametrize(("chunked", "percent"), [(None, 2), (0, 2), (50, 5), (100, 8)])
def test_the_bar_moves_while_chunking(chunked: int | None, percent: int) -> None:
    chunking = job(JobStatus.CHUNKING, chunked=chunked, segment_count=None)
    assert overall_progress(chunking, []) == percent


def test_the_bar_goes_on_from_chunking_through_the_segments() -> None:
    assert overall_progress(job(), [SegmentState(i, SegmentStatus.PENDING) for i in range(4)]) == 8
    assert overall_progress(job(), HALF_WAY) == 8 + 87 * 150 // 400
    assert overall_progress(job(JobStatus.REASSEMBLING), HALF_WAY) == 95


def test_frames_per_second_and_time_left_from_the_work_since_the_segments_began() -> None:
    found = pace(job(), HALF_WAY, NOW)
    assert found is not None
    # 150 of 400 in 30 s: 5 units a second, 2400 frames in 400 units.
    assert found.fps == pytest.approx(30.0)
    assert found.eta_seconds == pytest.approx(50.0)


def test_a_retry_counts_only_what_it_converted() -> None:
    retried = job(converted_before=100)  # segment 0 was done before the retry
    found = pace(retried, HALF_WAY, NOW)
    assert found is not None
    assert found.fps == pytest.approx(50 / 30 * 2400 / 400)
    assert found.eta_seconds == pytest.approx(250 / (50 / 30))


@pytest.mark.parametrize(
    ("case", "what"),
    [
        (job(converting_since=NOW - 3), HALF_WAY),  # too soon to say
        (job(), [SegmentState(0, SegmentStatus.CONVERTING, 4)]),  # 1 % of the work
        (job(JobStatus.CHUNKING), HALF_WAY),
        (job(JobStatus.COMPLETED), HALF_WAY),
        (job(converting_since=None), HALF_WAY),  # a job from before pace was recorded
    ],
)
def test_no_pace_until_there_is_enough_to_go_on(case: Job, what: list[SegmentState]) -> None:
    assert pace(case, what, NOW) is None


def test_without_a_frame_count_the_time_left_still_shows() -> None:
    found = pace(job(frames=None), HALF_WAY, NOW)
    assert found is not None and found.fps is None and found.eta_seconds == pytest.approx(50)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1, "about 5 s"),
        (41, "about 45 s"),
        (60, "about 1 min"),
        (61, "about 2 min"),
        (3599, "about 1 h 00 min"),
        (3725, "about 1 h 03 min"),
    ],
)
def test_time_left_is_rounded_up_as_people_say_it(seconds: float, said: str) -> None:
    assert time_left(seconds) == said


def detail(of: Job, segments: list[SegmentState]) -> JobDetail:
    return JobDetail(of, segments, 0, False, "x", pace(of, segments, NOW))


def test_the_line_under_the_bar() -> None:
    assert pace_line(detail(job(), HALF_WAY)) == "30.0 frames/s · about 50 s left"
    assert pace_line(detail(job(frames=None), HALF_WAY)) == "about 50 s left"
    assert pace_line(detail(job(converting_since=NOW - 1), HALF_WAY)) == "Measuring the speed…"
    chunking = job(JobStatus.CHUNKING, chunked=60, segment_count=None)
    assert pace_line(detail(chunking, [])) == "Preparing the segments: 60%"
    assert pace_line(detail(job(JobStatus.REASSEMBLING), HALF_WAY)) == "Joining the segments"
    assert pace_line(detail(job(JobStatus.COMPLETED), HALF_WAY)) == ""
    # Converting since before pace was recorded: nothing to measure from, so nothing said.
    assert pace_line(detail(job(converting_since=None), HALF_WAY)) == ""
