"""Each output format, end to end: a near square shows the disparity the convention predicts.

Depth comes from the tiny ONNX model (inverse depth = red channel) at the video's own size,
so the white square is exactly D = 1 and the black background D = 0, with sharp edges.
"""

from pathlib import Path

import numpy as np
import pytest

from stereospot.engine.convert import convert_file
from stereospot_testing.engine_media import (
    make_video,
    plain_square_scene,
    read_frames,
    tiny_red_model,
)

WIDTH, HEIGHT, DIVERGENCE = 128, 64, 8.0


def _eyes(frame: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    if fmt.endswith("sbs"):
        half = frame.shape[1] // 2
        return frame[:, :half], frame[:, half:]
    if fmt.endswith("tb"):
        half = frame.shape[0] // 2
        return frame[:half], frame[half:]
    return frame[..., 0], frame[..., 2]  # anaglyph: red is the left eye, blue the right


def _centre_column(eye: np.ndarray) -> float:
    grey = eye if eye.ndim == 2 else eye.mean(axis=2)
    rows = grey[grey.shape[0] // 2 - 2 : grey.shape[0] // 2 + 2]
    weights = np.clip(rows.astype(float) - 64, 0, None).sum(axis=0)
    return float((weights * np.arange(len(weights))).sum() / weights.sum())


@pytest.mark.parametrize("fmt", ["full-sbs", "half-sbs", "full-tb", "half-tb", "anaglyph"])
def test_near_square_disparity_in_each_format(
    tmp_path: Path, red_params: dict[str, object], fmt: str
) -> None:
    tiny_red_model(Path(str(red_params["model"])), width=WIDTH, height=HEIGHT)
    src = make_video(
        tmp_path / "src.mp4", width=WIDTH, height=HEIGHT, frames=3, scene=plain_square_scene
    )
    dst = tmp_path / "out.mp4"
    params = {**red_params, "format": fmt, "divergence": DIVERGENCE, "edge_dilation": 0}
    report = convert_file(src, dst, params)
    frame = read_frames(dst)[1]
    left, right = _eyes(frame, fmt)
    eye_width = WIDTH // 2 if fmt == "half-sbs" else WIDTH
    # Each eye moves D = 1 by (1 - 0.5) * 8% * eye width / 2, rounded to whole pixels by
    # the warp; the total parallax between the eyes is twice that.
    expected = 2 * round(0.5 * DIVERGENCE / 100 * eye_width / 2)
    measured = _centre_column(left) - _centre_column(right)
    assert measured == pytest.approx(expected, abs=0.5)
    assert report["comfort"]["parallax_range_pct"][1] == pytest.approx(0.5 * DIVERGENCE, abs=0.3)
