"""Depth-image-based rendering: one view and its depth in, a left and a right eye out.

Convention (iw3's): with D the normalised inverse depth (1 = nearest), each eye is shifted
by `(D - convergence) * divergence% * width / 2` pixels, the left eye to the right and the
right eye to the left, so points nearer than the convergence plane come out of the screen
(crossed parallax) and farther ones recede. The total parallax between the eyes is twice
that: `(D - convergence) * divergence` percent of the width.

Pixels are forward-warped with a z-buffer (the nearer pixel wins where two land on the
same spot); the holes a warp uncovers are filled from their background side, since what
was hidden behind a foreground edge is background.

The NumPy functions here are the reference; the engine renders with the compiled kernel in
`dibr_kernel`, which the tests hold to them pixel for pixel.
"""

from __future__ import annotations

import functools
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from stereospot.engine.resize import resize_bilinear

Image = NDArray[np.uint8]
Depth = NDArray[np.float32]
Index = NDArray[np.intp]

_Z_LEVELS = 65535


def eye_shift(
    depth: Depth, convergence: float, divergence: float, width: int, border_fade: float = 0.0
) -> Depth:
    """Per-pixel shift in pixels of one eye (positive: the left eye moves right, the pixel
    comes out of the screen). With `border_fade`, that out-of-screen shift fades to zero
    towards the left and right edges (see `border_ramp`)."""
    scale = np.float32(divergence / 100.0 * width / 2.0)
    shift: Depth = (depth - np.float32(convergence)) * scale
    if border_fade > 0:
        ramp = border_ramp(width, border_fade)
        shift = np.where(shift > 0, shift * ramp, shift)
    return shift


@functools.lru_cache(maxsize=16)
def border_ramp(width: int, fade: float) -> NDArray[np.float32]:
    """Per column, the share of its crossed (out-of-screen) parallax a pixel keeps: 0 at
    the left and right edges, rising linearly to 1 over `fade` of the width.

    An object in front of the screen that the frame's edge cuts is a window violation: the
    eyes get a depth cue (in front) and an occlusion cue (behind the frame's edge) that
    disagree, which viewers feel as strain. Bringing near content back to the screen plane
    at the edges removes the conflict; content behind the screen is left as it is, since
    the edge may rightly occlude it."""
    if fade <= 0:
        ramp = np.ones(width, np.float32)
    else:
        band = max(1.0, fade * width)
        centres = np.arange(width, dtype=np.float64) + 0.5
        ramp = np.minimum(1.0, np.minimum(centres, width - centres) / band).astype(np.float32)
    ramp.flags.writeable = False
    return ramp


def dilate_rows(depth: Depth, radius: int) -> Depth:
    """Horizontal grey dilation (max filter) of the depth: the edge-dilation step.

    Anti-aliased edge pixels mix foreground and background colour; widening the near side
    by a pixel or two makes them move with the foreground, so no ghost outline is left
    standing on the background next to the hole.
    """
    if radius <= 0:
        return depth
    out = depth.copy()
    for step in range(1, radius + 1):
        np.maximum(out[:, step:], depth[:, :-step], out=out[:, step:])
        np.maximum(out[:, :-step], depth[:, step:], out=out[:, :-step])
    return out


@functools.lru_cache(maxsize=8)
def _grid(height: int, width: int) -> tuple[NDArray[np.float32], Index, NDArray[np.int64]]:
    """Per-shape constants: column positions (+1.5, see below), padded row offsets, indices."""
    columns = np.arange(width, dtype=np.float32)[None, :] + np.float32(1.5)
    rows = (np.arange(height, dtype=np.intp) * (width + 2))[:, None]
    flat = np.arange(height * width, dtype=np.int64).reshape(height, width)
    for a in (columns, rows, flat):
        a.flags.writeable = False
    return columns, rows, flat


def forward_warp(image: Image, shift: Depth, z: Depth) -> tuple[Image, NDArray[np.bool_], Depth]:
    """Move each pixel `shift` columns; where several land on one spot the largest `z` wins.

    Returns the warped image, the mask of holes (spots nothing landed on) and the warped z.
    The z-buffer is one `np.maximum.at` over int64 keys `z_level << 32 | source_index`, so
    the winner's z and its source pixel come out of the same maximum. Each buffer row has a
    spare column at both ends: a pixel pushed off the frame is clipped into one of them and
    dropped with it, which costs one clip instead of a mask and a select.
    """
    height, width = shift.shape
    n = height * width
    columns, rows, flat = _grid(height, width)
    # x + shift rounded to nearest, +1 for the left spare column; positive before the
    # truncating cast, hence the +1.5 in `columns` and the clip.
    target_x = np.clip(columns + shift, 0, width + 1).astype(np.intp)
    target_x += rows
    key = (np.clip(z, 0.0, 1.0) * np.float32(_Z_LEVELS) + np.float32(0.5)).astype(np.int64)
    key <<= 32
    key |= flat
    buffer = np.full((height, width + 2), -1, dtype=np.int64)
    np.maximum.at(buffer.reshape(-1), target_x.reshape(-1), key.reshape(-1))
    winners = buffer[:, 1:-1].reshape(-1)
    holes = winners < 0
    source = winners & 0xFFFFFFFF
    source[holes] = 0
    # np.take along axis 0 gathers whole pixels several times faster than fancy indexing.
    warped = np.take(image.reshape(n, -1), source, axis=0).reshape(image.shape)
    warped_z = np.take(z.reshape(-1), source)
    warped_z[holes] = 0
    return warped, holes.reshape(height, width), warped_z.reshape(height, width)


def fill_holes(image: Image, holes: NDArray[np.bool_], z: Depth) -> Image:
    """Fill each hole along its row from the nearest valid pixel on its background side.

    For every hole the nearest valid pixels to its left and right are found with running
    max/min accumulations; the one with the smaller z (farther away) is copied in. Only the
    hole pixels are gathered and written.
    """
    spots = np.flatnonzero(holes)
    if spots.size == 0:
        return image
    height, width = holes.shape
    columns = _grid(height, width)[2][0]
    left = np.maximum.accumulate(np.where(holes, -1, columns), axis=1).ravel()[spots]
    right = np.minimum.accumulate(np.where(holes, width, columns)[:, ::-1], axis=1)
    right = right[:, ::-1].ravel()[spots]
    row_start = spots - spots % width
    has_left = left >= 0
    has_right = right < width
    left_i = row_start + np.clip(left, 0, width - 1)
    right_i = row_start + np.clip(right, 0, width - 1)
    flat_z = z.ravel()
    take_left = has_left & (~has_right | (np.take(flat_z, left_i) <= np.take(flat_z, right_i)))
    source = np.where(take_left, left_i, right_i)
    # A row with no valid pixel at all keeps what it has.
    source = np.where(has_left | has_right, source, spots)
    out = image.copy()
    flat = out.reshape(height * width, -1)
    flat[spots] = np.take(flat, source, axis=0)
    return out


def render_eye(image: Image, shift: Depth, z: Depth) -> Image:
    """One eye: forward warp with z-buffer, then background-side hole filling."""
    warped, holes, warped_z = forward_warp(image, shift, z)
    return fill_holes(warped, holes, warped_z)


def render_pair(
    image: Image,
    depth: Depth,
    *,
    convergence: float = 0.5,
    divergence: float = 2.0,
    edge_dilation: int = 2,
    border_fade: float = 0.0,
) -> tuple[Image, Image]:
    """Left and right eye views of `image` (H, W, 3) given normalised inverse depth (H, W)."""
    if depth.shape != image.shape[:2]:
        raise ValueError(f"depth {depth.shape} does not match image {image.shape[:2]}")
    z = dilate_rows(depth.astype(np.float32, copy=False), edge_dilation)
    shift = eye_shift(z, convergence, divergence, image.shape[1], border_fade)
    left = render_eye(image, shift, z)
    right = render_eye(image, -shift, z)
    return left, right


class StereoParams(Protocol):
    @property
    def convergence(self) -> float: ...

    @property
    def divergence(self) -> float: ...

    @property
    def edge_dilation(self) -> int: ...

    @property
    def border_fade(self) -> float: ...


def render_with(p: StereoParams, image: Image, depth: Depth) -> tuple[Depth, Image, Image]:
    """Depth at the model's size brought up to the image's, then both eyes: what the
    engine and the preview stills do to every frame. Returns the full-size depth too.

    The eyes come from the compiled kernel (`dibr_kernel`, pixel-identical to
    `render_pair`, about four times faster per thread), imported here rather than at the
    top: numba's import costs some 0.6 s that a process rendering nothing must not pay."""
    from stereospot.engine.dibr_kernel import render_pair_compiled

    full = resize_bilinear(depth, image.shape[0], image.shape[1])
    left, right = render_pair_compiled(
        image,
        full,
        convergence=p.convergence,
        divergence=p.divergence,
        edge_dilation=p.edge_dilation,
        border_fade=p.border_fade,
    )
    return full, left, right
