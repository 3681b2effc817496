"""The PyTorch backend with a tiny random-weight Depth Anything (CPU torch from pip).

`make test` installs CPU torch through scripts/bootstrap.sh, so these never skip; without
torch they fail and say how to install it.
"""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stereospot.engine.convert import convert_file
from stereospot_testing.engine_media import make_video

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def tiny_config() -> Any:
    try:
        import torch  # noqa: F401
        from transformers import DepthAnythingConfig, Dinov2Config
    except ImportError as exc:
        pytest.fail(
            f"torch backend tests need CPU torch and transformers ({exc}); run "
            "`bash scripts/bootstrap.sh test` (what `make test` runs first)",
            pytrace=False,
        )
    backbone = Dinov2Config(
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        patch_size=14,
        image_size=56,
        out_indices=[1, 2],
        reshape_hidden_states=False,
    )
    return DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=16,
        neck_hidden_sizes=[8, 16],
        reassemble_factors=[2, 1],
        fusion_hidden_size=8,
        head_hidden_size=4,
    )


@pytest.fixture(scope="module")
def tiny_folder(tiny_config: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import DepthAnythingForDepthEstimation

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-depth-anything")
    DepthAnythingForDepthEstimation(tiny_config).save_pretrained(folder)
    return folder


def test_loads_from_a_local_folder_and_estimates_a_batch(tiny_folder: Path) -> None:
    from stereospot.engine.depth.torch_backend import TorchDepth

    estimator = TorchDepth(tiny_folder)
    assert estimator.device == "cpu" and estimator.name == f"torch:{tiny_folder.name}"
    assert estimator.input_size(1920, 1080) == (924, 518)
    frames = np.random.default_rng(0).integers(0, 255, (3, 56, 84, 3), dtype=np.uint8)
    depth = estimator.estimate(frames)
    assert depth.shape == (3, 56, 84) and depth.dtype == np.float32
    assert np.isfinite(depth).all()
    # Batched frames give what each frame alone gives.
    alone = estimator.estimate(frames[1:2])
    np.testing.assert_allclose(depth[1], alone[0], rtol=1e-4, atol=1e-5)


def test_converts_a_clip_with_depth_torch(tiny_folder: Path, tmp_path: Path) -> None:
    src = make_video(tmp_path / "s.mp4", width=64, height=48, frames=3, audio=None)
    report = convert_file(src, tmp_path / "o.mp4", {"depth": "torch", "model": str(tiny_folder)})
    assert report["frames"] == 3 and report["depth"] == f"torch:{tiny_folder.name}"


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from stereospot.engine.depth.torch_backend import TorchDepth

    with pytest.raises(FileNotFoundError, match="torch model folder not found"):
        TorchDepth(tmp_path / "absent")
