"""A no-weights depth estimator from monocular cues, so a fresh install converts something.

What it does, per frame, at a small working size (256 px wide):
1. vertical position: lower in the frame is nearer (the ground-plane prior: most shots
   stand on a floor or a landscape that recedes towards the horizon);
2. focus: locally sharper regions (gradient energy) are nearer, because the subject a
   camera focuses on is usually in front of a softer background;
3. colour: warm, saturated colour is nearer, and bright, blue, desaturated colour in the
   upper frame is far (aerial perspective: sky and haze).
The weighted sum is smoothed by a guided filter with the frame's luminance as guide, which
keeps the smoothness of a prior but snaps depth edges to image edges.

Its limits: it knows nothing of objects. A face in the upper frame, a ceiling, a sharp
background behind a soft foreground, a top-down shot or a blue shirt all get the wrong
depth. Its 3D is a plausible tilt with objects lifted where they are sharp and colourful,
not measured depth; use the ONNX or torch backends with Depth Anything weights for that.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stereospot.engine.depth.port import Frames, InverseDepth

F32 = NDArray[np.float32]

_WORK_WIDTH = 256
_WEIGHTS = (0.55, 0.25, 0.20)  # vertical, focus, colour


def box_filter(a: F32, radius: int) -> F32:
    """Mean over a (2r+1)^2 window on the last two axes, with edges averaged over what exists."""
    out = a
    for axis in (-2, -1):
        n = out.shape[axis]
        c = np.cumsum(out, axis=axis, dtype=np.float32)
        pad_shape = list(out.shape)
        pad_shape[axis] = 1
        c = np.concatenate((np.zeros(pad_shape, np.float32), c), axis=axis)
        hi = np.minimum(np.arange(n) + radius + 1, n)
        lo = np.maximum(np.arange(n) - radius, 0)
        count = (hi - lo).astype(np.float32)
        shape = [1] * out.ndim
        shape[axis] = n
        out = (np.take(c, hi, axis=axis) - np.take(c, lo, axis=axis)) / count.reshape(shape)
    return out


def guided_filter(guide: F32, src: F32, radius: int, eps: float) -> F32:
    """He et al.'s guided filter: smooths `src` while following the edges of `guide`."""
    mean_i = box_filter(guide, radius)
    mean_p = box_filter(src, radius)
    cov = box_filter(guide * src, radius) - mean_i * mean_p
    var = box_filter(guide * guide, radius) - mean_i * mean_i
    a = (cov / (var + np.float32(eps))).astype(np.float32, copy=False)
    b = mean_p - a * mean_i
    out: F32 = box_filter(a, radius) * guide + box_filter(b, radius)
    return out


def _normalise(a: F32) -> F32:
    # Per frame to 0..1 by robust percentiles, so each cue has a comparable weight.
    flat = a.reshape(a.shape[0], -1)
    lo = np.percentile(flat, 2, axis=1).reshape(-1, 1, 1).astype(np.float32)
    hi = np.percentile(flat, 98, axis=1).reshape(-1, 1, 1).astype(np.float32)
    out: F32 = np.clip((a - lo) / np.maximum(hi - lo, np.float32(1e-6)), 0, 1)
    return out


class ClassicalDepth:
    """Monocular cues, no weights: see the module docstring for what it does and its limits."""

    name = "classical"

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        w = min(_WORK_WIDTH, width)
        h = max(8, round(height * w / width))
        return w - w % 2, h - h % 2

    def estimate(self, frames: Frames) -> InverseDepth:
        rgb = frames.astype(np.float32) * np.float32(1 / 255)
        _, h, w, _ = rgb.shape
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        luma = 0.299 * r + 0.587 * g + 0.114 * b
        ramp = np.linspace(0, 1, h, dtype=np.float32)[None, :, None]
        vertical = np.broadcast_to(ramp, luma.shape)

        gy, gx = np.gradient(luma, axis=(1, 2))
        energy = np.sqrt(gx * gx + gy * gy).astype(np.float32)
        focus = _normalise(box_filter(energy, max(2, w // 24)))

        high = np.maximum(np.maximum(r, g), b)
        low = np.minimum(np.minimum(r, g), b)
        saturation = (high - low) / np.maximum(high, np.float32(1e-3))
        warmth = np.clip(r - b, -1, 1)
        haze = np.clip(b - 0.5 * (r + g), 0, 1) + np.clip(luma - 0.7, 0, 1)
        colour = _normalise(
            box_filter(saturation + 0.5 * warmth - haze * (1 - vertical), max(2, w // 32))
        )

        wv, wf, wc = _WEIGHTS
        cues = (wv * vertical + wf * focus + wc * colour).astype(np.float32)
        depth = guided_filter(luma.astype(np.float32), cues, max(2, w // 16), 1e-2)
        out: InverseDepth = np.ascontiguousarray(depth, dtype=np.float32)
        return out
