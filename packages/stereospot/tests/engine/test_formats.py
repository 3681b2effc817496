"""Output layouts, frame sizes, the anaglyph, and the file-name tags VR players read."""

from pathlib import Path

import numpy as np
import pytest

from stereospot.engine.formats import (
    StereoFormat,
    anaglyph,
    eye_size,
    frame_size,
    pack,
    tagged_output_path,
)


@pytest.mark.parametrize(
    ("fmt", "name", "expected"),
    [
        ("half-sbs", "movie.mp4", "movie_LR_Half_SBS.mp4"),
        ("full-sbs", "movie.mp4", "movie_LR_Full_SBS.mp4"),
        ("full-tb", "movie.mp4", "movie_TB_Full_TB.mp4"),
        ("half-tb", "movie.mkv", "movie_TB_Half_TB.mkv"),
        ("anaglyph", "movie.mp4", "movie_Anaglyph.mp4"),
        ("half-sbs", "holiday_LR.mp4", "holiday_LR.mp4"),  # already tagged: kept
        ("full-sbs", "film_SBS.mp4", "film_SBS.mp4"),
        ("full-tb", "film_tb.mp4", "film_tb.mp4"),
        ("half-sbs", "noext", "noext_LR_Half_SBS.mp4"),
    ],
)
def test_output_names_carry_the_layout_tag(fmt: str, name: str, expected: str) -> None:
    assert tagged_output_path(Path("/out") / name, fmt) == Path("/out") / expected


def test_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="half-sbs"):
        StereoFormat.parse("side-by-side")


@pytest.mark.parametrize(
    ("fmt", "eye", "frame"),
    [
        (StereoFormat.FULL_SBS, (640, 360), (1280, 360)),
        (StereoFormat.HALF_SBS, (320, 360), (640, 360)),
        (StereoFormat.FULL_TB, (640, 360), (640, 720)),
        (StereoFormat.HALF_TB, (640, 180), (640, 360)),
        (StereoFormat.ANAGLYPH, (640, 360), (640, 360)),
    ],
)
def test_sizes(fmt: StereoFormat, eye: tuple[int, int], frame: tuple[int, int]) -> None:
    assert eye_size(fmt, 640, 360) == eye
    assert frame_size(fmt, 640, 360) == frame
    left = np.zeros((eye[1], eye[0], 3), np.uint8)
    right = np.full_like(left, 255)
    packed = pack(fmt, left, right)
    assert packed.shape == (frame[1], frame[0], 3)


def test_sizes_stay_even_for_420() -> None:
    assert eye_size(StereoFormat.HALF_SBS, 642, 362) == (320, 362)
    assert frame_size(StereoFormat.HALF_TB, 642, 362) == (642, 360)


def test_dubois_anaglyph_keeps_neutral_tones_and_splits_the_eyes() -> None:
    white = np.full((2, 2, 3), 255, np.uint8)
    black = np.zeros_like(white)
    assert (anaglyph(white, white).astype(int) >= 240).all()  # white stays near white
    left_only = anaglyph(white, black)[0, 0]
    right_only = anaglyph(black, white)[0, 0]
    assert left_only[0] > 200 and left_only[1] < 40 and left_only[2] < 40  # left -> red
    assert right_only[0] < 40 and right_only[1] > 200 and right_only[2] > 200  # right -> cyan
