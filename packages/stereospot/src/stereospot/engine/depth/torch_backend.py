"""PyTorch backend: Depth Anything through `transformers`, from a local folder of weights.

The fast path on an NVIDIA machine that has torch but not ONNX Runtime's GPU build: bf16
on CUDA, `torch.compile` when asked. torch and transformers are the optional `torch` extra
and are imported only when this backend is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from stereospot.engine.depth.onnx_backend import IMAGENET_MEAN, IMAGENET_STD, patch_size
from stereospot.engine.depth.port import Frames, InverseDepth


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # the extra is optional: say how to get it
        raise RuntimeError(
            "depth=torch needs PyTorch and transformers: install the `stereospot[torch]` extra"
            " and torch itself (CPU: pip install torch --index-url"
            " https://download.pytorch.org/whl/cpu)"
        ) from exc
    return torch


def v2_small_config() -> Any:
    """Depth-Anything-V2-Small's architecture (ViT-S/14 DINOv2 backbone, DPT head)."""
    from transformers import DepthAnythingConfig, Dinov2Config

    vit_s: dict[str, Any] = {
        "hidden_size": 384,
        "num_hidden_layers": 12,
        "num_attention_heads": 6,
        "mlp_ratio": 4,
        "patch_size": 14,
        "image_size": 518,
        "out_indices": [3, 6, 9, 12],  # the four layers the DPT head reassembles
        "reshape_hidden_states": False,
        "apply_layernorm": True,
    }
    backbone = Dinov2Config(**vit_s)
    return DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=384,
        neck_hidden_sizes=[48, 96, 192, 384],
        fusion_hidden_size=64,
        head_hidden_size=32,
        depth_estimation_type="relative",
    )


class TorchDepth:
    """Depth Anything (any size) on CUDA in bf16, or on the CPU in float32."""

    def __init__(
        self,
        model: Path | Any,
        *,
        compile: bool = False,
        device: str | None = None,
        short_side: int = 518,
    ) -> None:
        torch = _torch()
        from transformers import DepthAnythingForDepthEstimation

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        cls: Any = DepthAnythingForDepthEstimation
        if isinstance(model, Path):
            if not model.is_dir():
                raise FileNotFoundError(f"torch model folder not found: {model}")
            net = cls.from_pretrained(str(model), dtype=self.dtype)
            self.name = f"torch:{model.name}"
        else:  # a config: random weights, for tests and benchmarks
            net = cls(model).to(self.dtype)
            self.name = "torch:random"
        self.net: Any = net.to(self.device).eval()
        self._forward = torch.compile(self.net) if compile else self.net
        self._mean = torch.tensor(IMAGENET_MEAN, device=self.device).view(1, 3, 1, 1) * 255
        self._std = torch.tensor(IMAGENET_STD, device=self.device).view(1, 3, 1, 1) * 255
        self.short_side = short_side

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        return patch_size(width, height, self.short_side)

    def estimate_tensor(self, frames: Any) -> Any:
        """(N, H, W, 3) uint8 tensor on the device in; (N, H, W) float32 on the device out."""
        torch = _torch()
        x = frames.permute(0, 3, 1, 2).float()
        x = ((x - self._mean) / self._std).to(self.dtype)
        with torch.inference_mode():
            depth = self._forward(pixel_values=x).predicted_depth
        return depth.float()

    def estimate(self, frames: Frames) -> InverseDepth:
        torch = _torch()
        tensor = torch.from_numpy(np.ascontiguousarray(frames)).to(self.device)
        out: InverseDepth = self.estimate_tensor(tensor).cpu().numpy()
        return out
