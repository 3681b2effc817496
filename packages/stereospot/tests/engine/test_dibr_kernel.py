"""The compiled renderer gives the NumPy renderer's eyes, pixel for pixel: the NumPy one is
the oracle, on frames built to reach every branch (ties, pixels pushed off the frame, rows
with nothing left, depth outside [0, 1], holes with one side or none)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from stereospot.engine.dibr import render_pair
from stereospot.engine.dibr_kernel import render_pair_compiled

Case = tuple[NDArray[np.uint8], NDArray[np.float32]]


def _frame(rng: np.random.Generator, height: int, width: int) -> NDArray[np.uint8]:
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def _cases() -> dict[str, Case]:
    rng = np.random.default_rng(20)
    floor = np.broadcast_to(np.linspace(0, 1, 36, dtype=np.float32)[:, None], (36, 64)).copy()
    block = floor.copy()
    block[8:28, 20:44] = 1.0  # a near block over a receding floor: holes on both sides
    steps = np.repeat(np.array([[0.0, 1.0, 0.2, 0.9]], np.float32), 16, axis=1).repeat(9, 0)
    return {
        "noise": (_frame(rng, 27, 61), rng.random((27, 61), dtype=np.float32)),
        "block": (_frame(rng, 36, 64), block),
        "steps": (_frame(rng, 9, 64), steps),
        "flat (every pixel ties)": (_frame(rng, 8, 32), np.full((8, 32), 0.5, np.float32)),
        "outside [0, 1]": (
            _frame(rng, 12, 40),
            rng.uniform(-0.5, 1.5, (12, 40)).astype(np.float32),
        ),
        "one column": (_frame(rng, 5, 1), rng.random((5, 1), dtype=np.float32)),
        "one row": (_frame(rng, 1, 50), rng.random((1, 50), dtype=np.float32)),
    }


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize(
    ("convergence", "divergence", "dilation", "fade"),
    [
        (0.5, 2.0, 2, 0.0),
        (0.0, 8.0, 0, 0.04),
        (1.0, 8.0, 1, 0.0),
        (0.3, 30.0, 3, 0.25),
        (0.5, -6.0, 2, 0.1),
    ],
)
def test_compiled_eyes_are_the_numpy_eyes(
    name: str, convergence: float, divergence: float, dilation: int, fade: float
) -> None:
    image, depth = CASES[name]
    chosen = {
        "convergence": convergence,
        "divergence": divergence,
        "edge_dilation": dilation,
        "border_fade": fade,
    }
    expected = render_pair(image, depth, **chosen)  # type: ignore[arg-type]
    got = render_pair_compiled(image, depth, **chosen)  # type: ignore[arg-type]
    for eye, want, have in zip(("left", "right"), expected, got, strict=True):
        assert have.dtype == np.uint8 and have.shape == image.shape
        mismatched = int(np.count_nonzero(np.any(want != have, axis=-1)))
        assert mismatched == 0, f"{name}: {mismatched} pixels of the {eye} eye differ"


def test_rows_pushed_wholly_off_the_frame_keep_the_warps_fill() -> None:
    # 400 % divergence moves every pixel of these near rows past the edge: nothing lands,
    # and both renderers leave the frame's first pixel there.
    rng = np.random.default_rng(3)
    image = _frame(rng, 6, 16)
    depth = np.ones((6, 16), np.float32)
    want = render_pair(image, depth, convergence=0.0, divergence=400.0)
    have = render_pair_compiled(image, depth, convergence=0.0, divergence=400.0)
    assert (want[0] == image[0, 0]).all()  # the case is the one meant
    np.testing.assert_array_equal(have[0], want[0])
    np.testing.assert_array_equal(have[1], want[1])


def test_the_warp_really_moves_pixels() -> None:
    # Guards the comparison above against two renderers that both do nothing.
    image, depth = CASES["block"]
    left, right = render_pair_compiled(image, depth, divergence=8.0)
    assert np.count_nonzero(np.any(left != image, axis=-1)) > image.shape[0] * 4
    assert np.count_nonzero(np.any(left != right, axis=-1)) > image.shape[0] * 4


def test_a_depth_of_another_size_is_refused() -> None:
    image, _ = CASES["block"]
    with pytest.raises(ValueError, match="does not match"):
        render_pair_compiled(image, np.zeros((2, 2), np.float32))
