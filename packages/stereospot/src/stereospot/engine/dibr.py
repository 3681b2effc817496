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


def dilate(depth: Depth, radius: int) -> Depth:
    """Grey dilation (max filter) of the depth over a square window, `radius` pixels each
    way: the edge-dilation step.

    Anti-aliased edge pixels mix foreground and background colour; widening the near side
    by a pixel or two makes them move with the foreground, so no ghost outline is left
    standing on the background next to the hole. Vertically too: the top and bottom edges
    of a near object blend into the background the same way, and left undilated they stay
    behind as a fringe while the object's body moves.
    """
    if radius <= 0:
        return depth
    rows = depth.copy()
    for step in range(1, radius + 1):
        np.maximum(rows[:, step:], depth[:, :-step], out=rows[:, step:])
        np.maximum(rows[:, :-step], depth[:, step:], out=rows[:, :-step])
    out = rows.copy()
    for step in range(1, radius + 1):
        np.maximum(out[step:], rows[:-step], out=out[step:])
        np.maximum(out[:-step], rows[step:], out=out[:-step])
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
    pixels = image.reshape(n, -1)
    warped = np.take(pixels, source, axis=0)
    _resample(warped, pixels, source, holes, columns, shift)
    warped_z = np.take(z.reshape(-1), source)
    warped_z[holes] = 0
    return (
        warped.reshape(image.shape),
        holes.reshape(height, width),
        warped_z.reshape(height, width),
    )


def _resample(
    warped: Image,
    pixels: Image,
    source: NDArray[np.int64],
    holes: NDArray[np.bool_],
    columns: NDArray[np.float32],
    shift: Depth,
) -> None:
    """Sub-pixel colour for the z-buffer's winners, in place.

    A winner landed `d` pixels (|d| <= 0.5) from the centre of the spot it won: the colour
    there is the source's at `x + d`, interpolated with the neighbour on that side, as long
    as that neighbour moved with it (shifts within half a pixel: the same surface). Across
    a depth edge the winner's own colour stays, so no edge is blurred into the other
    surface. Whole-pixel rounding alone moves a slanted surface in steps, which shows as
    jagged, crawling texture.
    """
    height, width = shift.shape
    spots = np.flatnonzero(~holes)
    if spots.size == 0:
        return
    src = source[spots]
    flat_shift = shift.reshape(-1)
    x = src % width
    moved = np.take(columns[0], x) + np.take(flat_shift, src)
    # Where the spot's centre is, from the winner's: the target index (spot + 1, past the
    # spare column) + 0.5 - where it landed (`moved`, also offset by 1.5).
    d = (np.float32(1.5) + (spots % width).astype(np.float32)) - moved
    ahead = d > 0
    other = np.where(ahead, src + 1, src - 1)
    inside = np.where(ahead, x + 1 < width, x >= 1)
    near = np.clip(other, 0, height * width - 1)
    together = np.abs(np.take(flat_shift, near) - np.take(flat_shift, src)) < np.float32(0.5)
    blend = inside & together & (d != 0)
    if not blend.any():
        return
    a = np.abs(d[blend])[:, None]
    mine = np.take(pixels, src[blend], axis=0).astype(np.float32)
    theirs = np.take(pixels, near[blend], axis=0).astype(np.float32)
    mixed = mine * (np.float32(1.0) - a) + theirs * a
    warped[spots[blend]] = (mixed + np.float32(0.5)).astype(np.uint8)


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
    z = dilate(depth.astype(np.float32, copy=False), edge_dilation)
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
