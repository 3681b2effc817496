"""Output layouts: how two eye views become one frame, and the file-name tags players read.

Half layouts squeeze each eye to half the width (SBS) or height (TB) so the packed frame
has the source's size; the engine squeezes *before* warping (see `eye_size`), which halves
the rendering work and gives the same image as warping first, since shifts are a share of
the eye's own width.
"""

from __future__ import annotations

import enum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]


class StereoFormat(enum.StrEnum):
    FULL_SBS = "full-sbs"
    HALF_SBS = "half-sbs"
    FULL_TB = "full-tb"
    HALF_TB = "half-tb"
    ANAGLYPH = "anaglyph"

    @classmethod
    def parse(cls, value: str) -> StereoFormat:
        try:
            return cls(value.lower())
        except ValueError:
            names = ", ".join(f.value for f in cls)
            raise ValueError(f"format must be one of {names}, not {value!r}") from None


# Tags VR players look for in file names (DeoVR, Skybox, HereSphere, Pigasus): `_LR`/`_SBS`
# for side by side, `_TB` for top-bottom; Full/Half tells players whose default differs.
TAGS: dict[StereoFormat, str] = {
    StereoFormat.FULL_SBS: "_LR_Full_SBS",
    StereoFormat.HALF_SBS: "_LR_Half_SBS",
    StereoFormat.FULL_TB: "_TB_Full_TB",
    StereoFormat.HALF_TB: "_TB_Half_TB",
    StereoFormat.ANAGLYPH: "_Anaglyph",
}
# A name that already says its layout keeps it: any of these tokens counts.
_KNOWN: dict[StereoFormat, tuple[str, ...]] = {
    StereoFormat.FULL_SBS: ("_lr", "_sbs", "_3dh"),
    StereoFormat.HALF_SBS: ("_lr", "_sbs", "_3dh"),
    StereoFormat.FULL_TB: ("_tb", "_ou", "_3dv"),
    StereoFormat.HALF_TB: ("_tb", "_ou", "_3dv"),
    StereoFormat.ANAGLYPH: ("_anaglyph",),
}


def tagged_output_path(path: Path, fmt: StereoFormat | str) -> Path:
    """`path` with the layout tag added before the extension, unless the name has one."""
    fmt = StereoFormat.parse(str(fmt))
    stem = path.stem.lower()
    if any(token in stem for token in _KNOWN[fmt]):
        return path
    return path.with_name(f"{path.stem}{TAGS[fmt]}{path.suffix or '.mp4'}")


def eye_size(fmt: StereoFormat, width: int, height: int) -> tuple[int, int]:
    """(width, height) of one eye's view: even, because the output is 4:2:0."""
    if fmt is StereoFormat.HALF_SBS:
        return _even(width // 2), _even(height)
    if fmt is StereoFormat.HALF_TB:
        return _even(width), _even(height // 2)
    return _even(width), _even(height)


def frame_size(fmt: StereoFormat, width: int, height: int) -> tuple[int, int]:
    """(width, height) of the packed output frame."""
    w, h = eye_size(fmt, width, height)
    if fmt in (StereoFormat.FULL_SBS, StereoFormat.HALF_SBS):
        return 2 * w, h
    if fmt in (StereoFormat.FULL_TB, StereoFormat.HALF_TB):
        return w, 2 * h
    return w, h


def pack(fmt: StereoFormat, left: Image, right: Image) -> Image:
    """One output frame from two eye views of `eye_size`."""
    if fmt in (StereoFormat.FULL_SBS, StereoFormat.HALF_SBS):
        return np.concatenate((left, right), axis=1)
    if fmt in (StereoFormat.FULL_TB, StereoFormat.HALF_TB):
        return np.concatenate((left, right), axis=0)
    return anaglyph(left, right)


def is_side_by_side(fmt: StereoFormat) -> bool:
    return fmt in (StereoFormat.FULL_SBS, StereoFormat.HALF_SBS)


def is_top_bottom(fmt: StereoFormat) -> bool:
    return fmt in (StereoFormat.FULL_TB, StereoFormat.HALF_TB)


# Dubois' least-squares red-cyan matrices, defined on linear RGB (Dubois 2001, the
# red-cyan set published on his site): far less retinal rivalry and colour ghosting than
# the plain "red from left, green and blue from right" anaglyph.
_DUBOIS_LEFT = np.array(
    [[0.456, 0.500, 0.176], [-0.040, -0.038, -0.016], [-0.015, -0.021, -0.005]], np.float32
)
_DUBOIS_RIGHT = np.array(
    [[-0.043, -0.088, -0.002], [0.378, 0.734, -0.018], [-0.072, -0.113, 1.226]], np.float32
)
_TO_LINEAR = np.where(
    (c := np.arange(256) / 255.0) <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4
).astype(np.float32)
_LUT_SIZE = 4096
_TO_SRGB = np.clip(
    np.round(
        255
        * np.where(
            (v := np.linspace(0, 1, _LUT_SIZE)) <= 0.0031308,
            v * 12.92,
            1.055 * v ** (1 / 2.4) - 0.055,
        )
    ),
    0,
    255,
).astype(np.uint8)


def anaglyph(left: Image, right: Image) -> Image:
    """Dubois red-cyan anaglyph in sRGB; encoded later as ordinary yuv420p video."""
    lin = _TO_LINEAR[left] @ _DUBOIS_LEFT.T + _TO_LINEAR[right] @ _DUBOIS_RIGHT.T
    index = np.clip(lin * (_LUT_SIZE - 1) + 0.5, 0, _LUT_SIZE - 1).astype(np.intp)
    out: Image = _TO_SRGB[index]
    return out


def _even(n: int) -> int:
    return max(2, n - n % 2)
