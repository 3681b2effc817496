"""Bilinear resizing in NumPy for depth maps and small frames (separable, vectorised)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _axis(
    size_in: int, size_out: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32]]:
    # Pixel centres aligned (align_corners=False), as PyTorch and swscale do.
    pos = (np.arange(size_out, dtype=np.float32) + 0.5) * (size_in / size_out) - 0.5
    pos = np.clip(pos, 0, size_in - 1).astype(np.float32)
    low = np.floor(pos).astype(np.intp)
    high = np.minimum(low + 1, size_in - 1)
    return low, high, (pos - low).astype(np.float32)


def resize_bilinear(array: NDArray[np.generic], height: int, width: int) -> NDArray[np.float32]:
    """Resize the first two axes of `array` to (height, width); returns float32."""
    data = array.astype(np.float32, copy=False)
    if data.shape[:2] == (height, width):
        return data
    y0, y1, fy = _axis(data.shape[0], height)
    x0, x1, fx = _axis(data.shape[1], width)
    trailing = (1,) * (data.ndim - 2)
    wy = fy.reshape(height, 1, *trailing)
    rows = data[y0] * (np.float32(1) - wy) + data[y1] * wy
    wx = fx.reshape(1, width, *trailing)
    out: NDArray[np.float32] = rows[:, x0] * (np.float32(1) - wx) + rows[:, x1] * wx
    return out


def resize_image(image: NDArray[np.uint8], height: int, width: int) -> NDArray[np.uint8]:
    """Bilinear resize of an (H, W, 3) uint8 image."""
    out: NDArray[np.uint8] = np.clip(resize_bilinear(image, height, width) + 0.5, 0, 255).astype(
        np.uint8
    )
    return out
