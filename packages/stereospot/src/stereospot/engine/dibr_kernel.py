"""The CPU renderer compiled: `dibr.render_pair`, one row at a time, with numba.

The NumPy renderer in `dibr` stays the reference: this kernel computes the same float32
arithmetic in the same order (the target column `x + 1.5 + shift` truncated, the z-buffer
key `(z level << 32) | source index`, the winners' sub-pixel colour, background-side hole
filling, a row with no pixel left keeping the frame's first pixel), so its eyes are
pixel-identical, which the tests
check on real and adversarial frames. The NumPy version spends most of its time in
`np.maximum.at` and gathers over the whole frame; here each row is one pass over memory
that stays in cache, and the GIL is released, so the engine's render threads run it on
every core.

The kernel is compiled on first use and cached on disk beside this module (or in the
user's cache folder where that is read-only, or NUMBA_CACHE_DIR), so compiling (a few
seconds) happens once per machine. Every process still pays about 0.6 s to import numba
and 0.6 s to load the cached kernel; `dibr.render_with` imports this module only when a
frame is rendered, and the engine's render threads call `ready()` before their first
frame arrives, so that cost overlaps the decoder's start and the first depth batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from stereospot.engine.dibr import border_ramp

Image = NDArray[np.uint8]
Depth = NDArray[np.float32]

_Z_LEVELS = np.float32(65535)
_HALF = np.float32(0.5)
_OFFSET = np.float32(1.5)
_ONE = np.float32(1.0)


@njit(cache=True, nogil=True, boundscheck=False)
def _render_rows(
    image: Any,
    depth: Any,
    convergence: Any,
    scale: Any,
    radius: int,
    ramp: Any,
    left: Any,
    right: Any,
) -> None:  # pragma: no cover - compiled; the tests compare it with dibr.render_pair
    height, width, channels = image.shape
    z = np.empty(width, np.float32)
    vertical = np.empty(width, np.float32)
    shift = np.empty(width, np.float32)
    keys = np.empty(width, np.int64)
    buffer = np.empty(width + 2, np.int64)
    source = np.empty(width, np.int64)
    warped_z = np.empty(width, np.float32)
    nearest_left = np.empty(width, np.int64)
    for y in range(height):
        # Edge dilation: the square window's maximum, down the columns, then along the row
        # (a maximum is exact, so in any order it is the NumPy reference's value).
        top, bottom = max(0, y - radius), min(height - 1, y + radius)
        for x in range(width):
            best = depth[top, x]
            for row in range(top + 1, bottom + 1):
                if depth[row, x] > best:
                    best = depth[row, x]
            vertical[x] = best
        for x in range(width):
            best = vertical[x]
            for step in range(1, radius + 1):
                if x - step >= 0 and vertical[x - step] > best:
                    best = vertical[x - step]
                if x + step < width and vertical[x + step] > best:
                    best = vertical[x + step]
            z[x] = best
            moved = (best - convergence) * scale
            shift[x] = moved * ramp[x] if moved > 0 else moved
            level = min(max(best, np.float32(0.0)), np.float32(1.0)) * _Z_LEVELS + _HALF
            keys[x] = (np.int64(level) << 32) | (y * width + x)
        for eye in range(2):
            out = left if eye == 0 else right
            for i in range(width + 2):
                buffer[i] = -1
            for x in range(width):
                moved = np.float32(x) + _OFFSET
                moved = moved + shift[x] if eye == 0 else moved - shift[x]
                if moved < 0:
                    moved = np.float32(0.0)
                elif moved > width + 1:
                    moved = np.float32(width + 1)
                target = np.int64(moved)
                if keys[x] > buffer[target]:
                    buffer[target] = keys[x]
            last = -1
            for x in range(width):
                winner = buffer[x + 1]
                if winner >= 0:
                    source[x] = (winner & 0xFFFFFFFF) - y * width
                    warped_z[x] = z[source[x]]
                    last = x
                else:
                    source[x] = -1
                nearest_left[x] = last
            # The winners' colours, sampled where they landed (dibr._resample).
            for x in range(width):
                s = source[x]
                if s < 0:
                    continue
                moved = np.float32(s) + _OFFSET
                moved = moved + shift[s] if eye == 0 else moved - shift[s]
                d = (_OFFSET + np.float32(x)) - moved
                n = s + 1 if d > 0 else s - 1
                a = d if d > 0 else -d
                if d != 0 and 0 <= n < width and abs(shift[n] - shift[s]) < _HALF:
                    keep = _ONE - a
                    for c in range(channels):
                        mixed = np.float32(image[y, s, c]) * keep + np.float32(image[y, n, c]) * a
                        out[y, x, c] = np.uint8(np.int64(mixed + _HALF))
                else:
                    for c in range(channels):
                        out[y, x, c] = image[y, s, c]
            # Holes: the background side's neighbour, as it was drawn.
            following = width
            for x in range(width - 1, -1, -1):
                if source[x] >= 0:
                    following = x
                    continue
                before = nearest_left[x]
                if before >= 0 and (following >= width or warped_z[before] <= warped_z[following]):
                    for c in range(channels):
                        out[y, x, c] = out[y, before, c]
                elif following < width:
                    for c in range(channels):
                        out[y, x, c] = out[y, following, c]
                else:
                    for c in range(channels):
                        out[y, x, c] = image[0, 0, c]  # nothing landed on the row: the warp's fill


def render_pair_compiled(
    image: Image,
    depth: Depth,
    *,
    convergence: float = 0.5,
    divergence: float = 2.0,
    edge_dilation: int = 2,
    border_fade: float = 0.0,
) -> tuple[Image, Image]:
    """`dibr.render_pair`, compiled: the same eyes, pixel for pixel."""
    if depth.shape != image.shape[:2]:
        raise ValueError(f"depth {depth.shape} does not match image {image.shape[:2]}")
    image = np.ascontiguousarray(image)
    left = np.empty_like(image)
    right = np.empty_like(image)
    _render_rows(
        image,
        np.ascontiguousarray(depth, dtype=np.float32),
        np.float32(convergence),
        np.float32(divergence / 100.0 * image.shape[1] / 2.0),
        max(0, int(edge_dilation)),
        border_ramp(image.shape[1], border_fade),
        left,
        right,
    )
    return left, right


def ready() -> None:
    """Load (or compile) the kernel now rather than on the first frame."""
    frame = np.zeros((2, 2, 3), np.uint8)
    render_pair_compiled(frame, np.zeros((2, 2), np.float32))
