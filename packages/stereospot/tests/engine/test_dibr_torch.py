"""The PyTorch renderer (the GPU path) matches the NumPy one, run here on CPU torch."""

import numpy as np
import pytest

from stereospot.engine.dibr import render_pair

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("fade", [0.0, 0.1])
def test_torch_renderer_matches_numpy(fade: float) -> None:
    try:
        import torch
    except ImportError as exc:
        pytest.fail(f"needs CPU torch ({exc}); run `bash scripts/bootstrap.sh test`", False)
    from stereospot.engine.dibr_torch import render_pair_torch

    rng = np.random.default_rng(5)
    image = rng.integers(0, 255, (2, 24, 48, 3), dtype=np.uint8)
    y = np.linspace(0, 1, 24, dtype=np.float32)[:, None]
    depth = np.broadcast_to(y, (24, 48)).copy()
    depth[6:18, 14:30] = 1.0  # a near block over a receding floor
    depths = np.stack([depth, depth[::-1].copy()])
    left_t, right_t = render_pair_torch(
        torch.from_numpy(image), torch.from_numpy(depths), divergence=8.0, border_fade=fade
    )
    for i in range(2):
        left, right = render_pair(
            image[i], depths[i], divergence=8.0, edge_dilation=1, border_fade=fade
        )
        np.testing.assert_array_equal(left_t[i].numpy(), left)
        np.testing.assert_array_equal(right_t[i].numpy(), right)
