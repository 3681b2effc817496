"""ONNX Runtime backend for Depth-Anything-V2-style models: image in, relative inverse depth out.

The model takes (N, 3, H, W) float32 RGB normalised with ImageNet's mean and deviation and
returns (N, H, W) or (N, 1, H, W). Fixed input sizes are read from the model; dynamic ones
get 518 px on the short side, rounded to the ViT patch (14 px), as Depth Anything was trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from stereospot.engine.depth.port import Frames, InverseDepth

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
PATCH = 14
SHORT_SIDE = 518
# Fastest first; ONNX Runtime falls back along the list for operators a provider lacks.
PREFERRED_PROVIDERS = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "CPUExecutionProvider",
)


def patch_size(width: int, height: int, short_side: int = SHORT_SIDE) -> tuple[int, int]:
    """(width, height) with the short side near `short_side`, both multiples of the patch."""
    scale = short_side / min(width, height)
    return (
        max(PATCH, round(width * scale / PATCH) * PATCH),
        max(PATCH, round(height * scale / PATCH) * PATCH),
    )


def to_model_input(frames: Frames) -> np.ndarray[Any, np.dtype[np.float32]]:
    x = (frames.astype(np.float32) * np.float32(1 / 255) - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


class OnnxDepth:
    """A Depth-Anything-style ONNX model run by ONNX Runtime."""

    def __init__(self, model: Path, providers: list[str] | None = None) -> None:
        import onnxruntime as ort  # a few hundred ms: only when this backend is chosen

        if not model.is_file():
            raise FileNotFoundError(f"ONNX model not found: {model}")
        available = set(ort.get_available_providers())
        chosen = providers or [p for p in PREFERRED_PROVIDERS if p in available]
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Idle ORT threads otherwise spin, taking the cores that decode and x264 need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(model), options, providers=chosen)
        self.providers: list[str] = list(self._session.get_providers())
        spec = self._session.get_inputs()[0]
        self._input = spec.name
        shape = list(spec.shape)
        self._batch = shape[0] if isinstance(shape[0], int) else None
        fixed = isinstance(shape[2], int) and isinstance(shape[3], int)
        self._fixed = (shape[3], shape[2]) if fixed else None
        self.name = f"onnx:{model.name}"

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        return self._fixed or patch_size(width, height)

    def estimate(self, frames: Frames) -> InverseDepth:
        x = to_model_input(frames)
        step = self._batch or len(x)
        parts = [
            self._session.run(None, {self._input: x[i : i + step]})[0]
            for i in range(0, len(x), step)
        ]
        out = np.concatenate(parts).astype(np.float32, copy=False)
        if out.ndim == 4:
            out = out[:, 0]
        result: InverseDepth = out
        return result
