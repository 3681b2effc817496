"""The DepthEstimator port: a batch of RGB frames in, relative inverse depth out."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Frames = NDArray[np.uint8]  # (N, H, W, 3) RGB
InverseDepth = NDArray[np.float32]  # (N, h, w): larger is nearer, arbitrary affine scale


class DepthEstimator(Protocol):
    """Relative inverse depth (disparity-like: larger is nearer) for a batch of frames.

    The output's scale and offset are arbitrary, as with Depth Anything's relative models;
    the engine's normaliser maps them to 0..1. The output may be smaller than the input
    (the model's own resolution); the renderer resizes it.
    """

    name: str

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) the estimator wants its frames at; the decoder scales to it."""
        ...

    def estimate(self, frames: Frames) -> InverseDepth: ...
