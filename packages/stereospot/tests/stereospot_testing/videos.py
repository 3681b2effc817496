"""Test videos made with PyAV: a moving test pattern plus a tone, keyframes where asked."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_video(
    path: Path,
    *,
    seconds: float = 6.0,
    fps: int = 24,
    size: tuple[int, int] = (160, 96),
    keyframes: Sequence[float] = (),
    gop: int = 48,
    audio: bool = True,
    bframes: int = 2,
    container: str = "mp4",
) -> Path:
    """H.264 + AAC in MP4. Keyframes fall every `gop` frames and also at each time in
    `keyframes` (seconds), so the interval varies as the tests choose."""
    width, height = size
    forced = {round(t * fps) for t in keyframes}
    frames = round(seconds * fps)
    with av.open(str(path), "w", format=container) as out:
        video = out.add_stream(
            "libx264",
            rate=fps,
            options={"g": str(gop), "bf": str(bframes), "forced-idr": "1", "preset": "ultrafast"},
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.thread_count = 1
        tone = None
        if audio:
            tone = out.add_stream("aac", rate=48000)
            tone.codec_context.layout = "mono"
        yy, xx = np.mgrid[0:height, 0:width]
        for n in range(frames):
            rgb = np.empty((height, width, 3), dtype=np.uint8)
            rgb[..., 0] = (xx * 255 // max(width - 1, 1) + n * 4) % 256
            rgb[..., 1] = (yy * 255 // max(height - 1, 1)) % 256
            rgb[..., 2] = (n * 8) % 256
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            if n in forced:
                frame.pict_type = av.video.frame.PictureType.I
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if tone is not None:
            samples = round(seconds * 48000)
            t = np.arange(samples, dtype=np.float32) / 48000
            wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = wave[start : start + 1024].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
                frame.sample_rate = 48000
                frame.pts = start
                frame.time_base = Fraction(1, 48000)
                out.mux(tone.encode(frame))
            out.mux(tone.encode(None))
    return path


def mp4_boxes(path: Path) -> list[str]:
    """The names of an MP4's top-level boxes, in file order (is the index first?)."""
    names = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, name = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            names.append(name.decode())
            f.seek(size - 8, 1)
    return names
