"""DIBR: the iw3 shift convention, the z-buffer's ordering, and background-side hole filling."""

import numpy as np
import pytest

from stereospot.engine.dibr import dilate, eye_shift, fill_holes, forward_warp, render_pair


def _square(width: int = 200, height: int = 40) -> tuple[np.ndarray, np.ndarray]:
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 2] = 200  # blue background
    depth = np.zeros((height, width), np.float32)
    image[10:30, 80:120] = (255, 0, 0)  # red square, nearest
    depth[10:30, 80:120] = 1.0
    return image, depth


def _red_columns(eye: np.ndarray) -> tuple[int, int]:
    cols = np.flatnonzero((eye[20, :, 0] > 128) & (eye[20, :, 2] < 100))
    return int(cols[0]), int(cols[-1])


def test_shift_follows_the_iw3_convention() -> None:
    depth = np.array([[0.0, 0.5, 1.0]], np.float32)
    shift = eye_shift(depth, convergence=0.5, divergence=2.0, width=1000)
    # (D - 0.5) * 2% * 1000 / 2
    np.testing.assert_allclose(shift, [[-5.0, 0.0, 5.0]])


def test_near_square_shows_the_expected_disparity() -> None:
    image, depth = _square()
    left, right = render_pair(image, depth, convergence=0.5, divergence=4.0, edge_dilation=0)
    # Per eye: (1 - 0.5) * 4% * 200 / 2 = 2 px; the left eye moves right, the right eye left.
    assert _red_columns(left) == (82, 121)
    assert _red_columns(right) == (78, 117)
    # The background (D = 0) recedes: it moves the other way, by the same amount.
    marker = image.copy()
    marker[:, 10] = (0, 255, 0)
    left_m, right_m = render_pair(marker, depth, convergence=0.5, divergence=4.0, edge_dilation=0)
    assert np.flatnonzero(left_m[0, :, 1] == 255).tolist() == [8]
    assert np.flatnonzero(right_m[0, :, 1] == 255).tolist() == [12]


@pytest.mark.parametrize("near_first", [True, False])
def test_z_buffer_keeps_the_nearer_pixel(near_first: bool) -> None:
    image = np.zeros((1, 10, 3), np.uint8)
    image[0, 2] = (255, 0, 0)
    image[0, 7] = (0, 255, 0)
    shift = np.zeros((1, 10), np.float32)
    shift[0, 2], shift[0, 7] = 3.0, -2.0  # both land on column 5
    z = np.zeros((1, 10), np.float32)
    z[0, 2], z[0, 7] = (0.9, 0.2) if near_first else (0.2, 0.9)
    warped, holes, warped_z = forward_warp(image, shift, z)
    expected = (255, 0, 0) if near_first else (0, 255, 0)
    assert tuple(warped[0, 5]) == expected
    assert warped_z[0, 5] == pytest.approx(0.9)
    assert holes[0, 2] and holes[0, 7] and not holes[0, 5]


def test_holes_are_filled_from_the_background_side() -> None:
    image, depth = _square()
    z = depth
    shift = eye_shift(z, 0.5, 10.0, image.shape[1])  # 5 px per eye, wide holes
    warped, holes, warped_z = forward_warp(image, shift, z)
    row = 20
    hole_cols = np.flatnonzero(holes[row])
    assert len(hole_cols) > 0
    filled = fill_holes(warped, holes, warped_z)
    assert not (filled.sum(axis=2) == 0).any()  # nothing left empty
    # Every former hole now shows background blue, never the square's red.
    assert (filled[row, hole_cols] == (0, 0, 200)).all()


def test_edge_dilation_widens_the_near_side_every_way() -> None:
    depth = np.zeros((7, 9), np.float32)
    depth[3, 4] = 1.0
    grown = dilate(depth, 2)
    # A 5x5 square around the near pixel: along the row and up and down the column.
    assert grown[3].tolist() == [0, 0, 1, 1, 1, 1, 1, 0, 0]
    assert grown[:, 4].tolist() == [0, 1, 1, 1, 1, 1, 0]
    assert grown.sum() == 25 and grown[1:6, 2:7].all()
    assert dilate(depth, 0) is depth


def test_flat_depth_at_convergence_leaves_the_image_unchanged() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (16, 32, 3), dtype=np.uint8)
    depth = np.full((16, 32), 0.5, np.float32)
    left, right = render_pair(image, depth)
    assert (left == image).all() and (right == image).all()


def test_near_parallax_fades_to_the_screen_at_the_left_and_right_edges() -> None:
    width = 200
    near = np.ones((2, width), np.float32)
    far = np.zeros((2, width), np.float32)
    faded = eye_shift(near, 0.5, 4.0, width, border_fade=0.05)  # a 10-column band
    full = eye_shift(near, 0.5, 4.0, width)
    assert full[0, 0] == pytest.approx(2.0)  # 0.5 * 4 % * 200 / 2
    assert faded[0, 0] == pytest.approx(0.1) and faded[0, -1] == pytest.approx(0.1)
    assert faded[0, 0] < faded[0, 5] < faded[0, 10] == full[0, 10]
    np.testing.assert_array_equal(faded[:, 10:-10], full[:, 10:-10])
    # Behind the screen nothing changes: the frame's edge may rightly hide far content.
    np.testing.assert_array_equal(eye_shift(far, 0.5, 4.0, width, border_fade=0.05),
                                  eye_shift(far, 0.5, 4.0, width))  # fmt: skip


def test_a_near_object_at_the_edge_is_not_pushed_out_of_the_frame() -> None:
    # A near bar touching the left edge, its outer column red: without the fade the right
    # eye pushes that column off the frame (a window violation); with it, it stays.
    image = np.zeros((4, 100, 3), np.uint8)
    image[:, :6] = 255
    image[:, 0] = (255, 0, 0)
    depth = np.zeros((4, 100), np.float32)
    depth[:, :6] = 1.0
    red = np.array([255, 0, 0], np.uint8)
    _, cut = render_pair(image, depth, divergence=8.0, edge_dilation=0)
    _, kept = render_pair(image, depth, divergence=8.0, edge_dilation=0, border_fade=0.1)
    assert not (cut[0] == red).all(axis=-1).any()
    # Kept: the edge column moved a tenth of a pixel, so it is sampled a tenth of the way
    # towards its white neighbour, still the red column.
    assert (kept[:, 0, 0] == 255).all() and (kept[:, 0, 1:] <= 0.1 * 255 + 1).all()
