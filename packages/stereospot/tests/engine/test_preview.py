"""The job page's preview stills: the depth still has the source's shape whatever the
output layout (a half-width eye used to show as a squeezed, tall block)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from stereospot.engine.preview import write_preview
from stereospot_testing.videos import make_video


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])  # IHDR
    return width, height


@pytest.mark.parametrize("layout", ["half-sbs", "half-tb", "full-sbs", "anaglyph"])
def test_the_depth_still_has_the_sources_aspect(tmp_path: Path, layout: str) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1.0, size=(320, 180))
    depth, stereo = tmp_path / "depth.png", tmp_path / "stereo.png"
    write_preview(clip, {"format": layout, "depth": "classical"}, depth, stereo)
    width, height = png_size(depth)
    assert abs(width / height - 320 / 180) < 0.02, (layout, width, height)
