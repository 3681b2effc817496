"""Temporal and cross-segment stability: no depth-scale jump where two segments meet.

A generated film whose background slowly gets nearer (its red rises each frame; the tiny
ONNX model reads red as inverse depth) is converted whole for the pre-pass, then as two
segments, the way the pipeline splits it.
"""

from pathlib import Path

import numpy as np
import pytest

from stereospot.engine.convert import convert_file, prepass
from stereospot_testing.engine_media import make_video

FRAMES = 24
HALF = FRAMES // 2


def _ramp(offset: int):  # type: ignore[no-untyped-def]
    def scene(index: int, width: int, height: int) -> np.ndarray:
        image = np.zeros((height, width, 3), np.uint8)
        image[..., 0] = 6 * (index + offset)  # the background creeps nearer
        image[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3, 0] = 255
        return image

    return scene


def _seam(tmp_path: Path, params: dict[str, object]) -> tuple[float, float]:
    """(jump at the seam, typical frame-to-frame step inside a segment) in % parallax."""
    first = make_video(tmp_path / "a.mp4", frames=HALF, scene=_ramp(0), audio=None)
    second = make_video(tmp_path / "b.mp4", frames=HALF, scene=_ramp(HALF), audio=None)
    a = convert_file(first, tmp_path / "a_out.mp4", params)["comfort"]
    b = convert_file(second, tmp_path / "b_out.mp4", params)["comfort"]
    jump = abs(b["mean_parallax_first_pct"] - a["mean_parallax_last_pct"])
    return jump, max(a["flicker_pct"], b["flicker_pct"])


def test_job_normalisation_leaves_no_jump_at_the_seam(
    tmp_path: Path, red_params: dict[str, object]
) -> None:
    whole = make_video(tmp_path / "whole.mp4", frames=FRAMES, scene=_ramp(0), audio=None)
    base = {"depth": red_params["depth"], "model": red_params["model"]}
    normalisation = prepass(whole, base)
    assert normalisation["samples"] == FRAMES and normalisation["backend"] == "onnx:red.onnx"

    jump, step = _seam(tmp_path, {**base, "normalisation": normalisation})
    assert step > 0  # the scene does move
    assert jump <= 1.5 * step + 1e-3  # the seam is no bigger than an ordinary frame step

    # Without the job's normalisation each segment rescales itself and the seam jumps.
    jump_alone, step_alone = _seam(tmp_path, base)
    assert jump_alone > 3 * max(step_alone, step)


def test_a_normalisation_from_another_backend_is_refused(
    tmp_path: Path, red_params: dict[str, object]
) -> None:
    src = make_video(tmp_path / "s.mp4", frames=4, audio=None)
    classical = prepass(src, {})
    with pytest.raises(ValueError, match="run the pre-pass again"):
        convert_file(src, tmp_path / "o.mp4", {**red_params, "normalisation": classical})


def test_a_static_scene_does_not_flicker(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)

    def noisy(index: int, width: int, height: int) -> np.ndarray:
        noise = rng.normal(0, 6, base.shape)  # sensor noise on a still shot
        return np.clip(base + noise, 0, 255).astype(np.uint8)

    src = make_video(tmp_path / "still.mp4", frames=16, scene=noisy, audio=None, crf=30)
    comfort = convert_file(src, tmp_path / "o.mp4", {})["comfort"]
    assert comfort["flicker_pct"] < 0.01  # a hundredth of a percent of the width per frame
