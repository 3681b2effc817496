"""Preview stills for the job page: the depth map and one stereo frame, as PNG files."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stereospot.engine import formats
from stereospot.engine.depth.factory import make_estimator
from stereospot.engine.dibr import render_with
from stereospot.engine.normalise import Normaliser
from stereospot.engine.params import EngineParams
from stereospot.engine.resize import resize_bilinear
from stereospot.engine.video import VideoReader


def write_png(path: Path, image: NDArray[np.uint8]) -> None:
    """A plain PNG (8-bit grey or RGB), written whole to a temporary name, then renamed."""
    height, width = image.shape[:2]
    colour = 2 if image.ndim == 3 else 0
    rows = np.ascontiguousarray(image).reshape(height, -1)
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def write_preview(
    src: Path, params: Mapping[str, Any], depth_png: Path, stereo_png: Path
) -> Mapping[str, Any]:
    """Render the frame a third of the way in: its depth (white is near) and stereo frame."""
    p = EngineParams.parse(params)
    estimator = make_estimator(p)
    reader = VideoReader(src)
    try:
        info = reader.info
        eye = formats.eye_size(p.format, info.width, info.height)
        depth_in = estimator.input_size(info.width, info.height)
        reader.container.seek(int(info.duration / 3 / info.time_base), stream=reader.video)
        frame = next(reader.container.decode(reader.video))
        image = reader.to_rgb(frame, eye)
        small = reader.to_rgb(frame, depth_in)
    finally:
        reader.close()
    raw = estimator.estimate(small[None])[0]
    depth = Normaliser.from_job(p.normalisation, estimator.name)(raw)
    full, left, right = render_with(p, image, depth)
    depth_png.parent.mkdir(parents=True, exist_ok=True)
    stereo_png.parent.mkdir(parents=True, exist_ok=True)
    # The depth at the source's shape: a half-width (or half-height) eye would show as a
    # squeezed picture, a 16:9 film as a tall block.
    height, width = full.shape
    if abs(width / height - info.width / info.height) > 0.01:
        width = max(1, round(height * info.width / info.height))
        full = resize_bilinear(full, height, width)
    write_png(depth_png, np.clip(full * 255 + 0.5, 0, 255).astype(np.uint8))
    write_png(stereo_png, formats.pack(p.format, left, right))
    return {
        "time_s": round(info.duration / 3, 3),
        "depth": estimator.name,
        "format": p.format.value,
    }
