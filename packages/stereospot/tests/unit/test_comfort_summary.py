"""A job's comfort report from its segments' (the engine writes one per segment)."""

from __future__ import annotations

from typing import Any

from stereospot.jobs.comfort_summary import comfort_summary


def segment(frames: int, low: float, high: float, beyond: float, border: float,
            suggested: float) -> dict[str, Any]:  # fmt: skip
    return {
        "comfort": {
            "frames": frames,
            "parallax_range_pct": [low, high],
            "limits_pct": {"front": 1.0, "behind": 2.0},
            "beyond_share": beyond,
            "border_violation_share": border,
            "suggested_divergence": suggested,
            "flicker_pct": 0.01,
        }
    }


def test_segments_combine_by_frames_and_extremes() -> None:
    report = {"segments": [segment(100, -0.5, 0.4, 0.0, 0.0, 4.0),
                           segment(300, -1.2, 1.6, 0.2, 0.1, 1.5)]}  # fmt: skip
    summary = comfort_summary(report, divergence=3.0)
    assert summary is not None
    assert summary.frames == 400
    assert summary.parallax_range_pct == (-1.2, 1.6)
    assert summary.beyond_share == 0.15 and summary.border_violation_share == 0.075
    assert summary.suggested_divergence == 1.5
    assert summary.advice.startswith("15% of frames go past a comfort limit: strength 1.5")


def test_a_comfortable_job_may_be_told_it_has_room() -> None:
    mild = comfort_summary({"segments": [segment(50, -0.4, 0.3, 0.0, 0.0, 4.5)]}, 2.0)
    assert mild is not None and "up to strength 4.5" in mild.advice
    full = comfort_summary({"segments": [segment(50, -2.0, 1.0, 0.01, 0.0, 2.0)]}, 2.0)
    assert full is not None and full.advice == "comfortable: within the limits"


def test_no_comfort_report_gives_none() -> None:
    assert comfort_summary(None, 2.0) is None
    assert comfort_summary({"segments": [{"converter": "passthrough", "frames": 24}]}, 2.0) is None
    assert comfort_summary({"segments": [{"comfort": {"frames": 0}}]}, 2.0) is None
