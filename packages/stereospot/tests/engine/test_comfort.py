"""The comfort report on scenes whose disparity is known."""

from pathlib import Path

import numpy as np
import pytest

from stereospot.engine.comfort import ComfortMeter
from stereospot.engine.convert import convert_file
from stereospot_testing.engine_media import make_video, plain_square_scene


def _scene() -> np.ndarray:
    depth = np.zeros((40, 80), np.float32)
    depth[10:30, 20:60] = 1.0  # half the frame nearest, the rest farthest
    return depth


def test_within_limits_at_the_defaults() -> None:
    meter = ComfortMeter(convergence=0.5, divergence=2.0)
    for _ in range(5):
        meter.add(_scene())
    report = meter.report()
    assert report["parallax_range_pct"] == [-1.0, 1.0]  # (D - 0.5) * 2
    assert report["beyond_share"] == 0.0
    # In front is the binding limit: 1 % / (1 - 0.5) = divergence 2.
    assert report["suggested_divergence"] == 2.0
    assert report["flicker_pct"] == 0.0


def test_too_strong_a_divergence_is_flagged_and_a_smaller_one_suggested() -> None:
    meter = ComfortMeter(convergence=0.5, divergence=5.0)
    for i in range(10):
        depth = _scene() if i < 3 else np.full((40, 80), 0.5, np.float32)
        meter.add(depth)
    report = meter.report()
    assert report["parallax_range_pct"] == [-2.5, 2.5]
    assert report["beyond_share"] == pytest.approx(0.3)  # the three deep frames
    assert report["suggested_divergence"] == 2.0


def test_behind_limit_binds_when_convergence_is_high() -> None:
    meter = ComfortMeter(convergence=1.0, divergence=4.0)
    meter.add(_scene())
    report = meter.report()
    assert report["parallax_range_pct"] == [-4.0, 0.0]
    assert report["beyond_share"] == 1.0
    assert report["suggested_divergence"] == 2.0  # 2 % behind / (1 - 0)


def test_conversion_reports_comfort_for_the_known_scene(
    tmp_path: Path, red_params: dict[str, object]
) -> None:
    src = make_video(tmp_path / "s.mp4", width=96, height=48, frames=4, scene=plain_square_scene)
    report = convert_file(src, tmp_path / "o.mp4", {**red_params, "divergence": 4.0})
    comfort = report["comfort"]
    assert comfort["frames"] == 4
    assert comfort["parallax_range_pct"][0] == pytest.approx(-2.0, abs=0.1)
    assert comfort["parallax_range_pct"][1] == pytest.approx(2.0, abs=0.3)
    assert comfort["beyond_share"] == 1.0
    assert comfort["suggested_divergence"] == pytest.approx(2.0, abs=0.2)


def test_border_violations_count_near_content_at_the_edges_as_rendered() -> None:
    edge = np.zeros((36, 200), np.float32)
    edge[:, :30] = 1.0  # near content touching the left edge
    centre = np.zeros((36, 200), np.float32)
    centre[:, 80:120] = 1.0
    for fade, expected in ((0.0, 0.5), (0.04, 0.0)):
        meter = ComfortMeter(convergence=0.5, divergence=2.0, border_fade=fade)
        for depth in (edge, centre):
            meter.add(depth)
        assert meter.report()["border_violation_share"] == expected, fade
