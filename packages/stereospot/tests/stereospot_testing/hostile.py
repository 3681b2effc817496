"""Files that can never convert, made for real: a text file named .mp4, sound without a
picture, and a picture wider than the server allows (a few frames, so it is cheap), plus a
converter that counts what the pipeline asked it to decode."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from stereospot.converters import PassThrough, Progress
from stereospot.media.span import Span
from stereospot_testing.videos import make_video

# Wider than the default limit of 4096 px, yet two frames encode in a fraction of a second.
WIDE = (4608, 256)


def text_named_mp4(folder: Path) -> Path:
    path = folder / "holiday.mp4"
    path.write_bytes(b"this is a shopping list, not a film\n" * 50)
    return path


def audio_only(folder: Path, seconds: float = 1.0) -> Path:
    """An MP4 with one AAC stream and no video stream."""
    path = folder / "podcast.mp4"
    with av.open(str(path), "w", format="mp4") as out:
        tone = out.add_stream("aac", rate=48000)
        tone.codec_context.layout = "mono"
        samples = round(seconds * 48000)
        wave = (0.2 * np.sin(np.arange(samples, dtype=np.float32) / 20)).astype(np.float32)
        for start in range(0, samples, 1024):
            frame = av.AudioFrame.from_ndarray(
                wave[start : start + 1024].reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate = 48000
            frame.pts = start
            frame.time_base = Fraction(1, 48000)
            out.mux(tone.encode(frame))
        out.mux(tone.encode(None))
    return path


def too_wide(folder: Path, size: tuple[int, int] = WIDE) -> Path:
    return make_video(folder / "panorama.mp4", seconds=2 / 24, size=size, audio=False)


class CountingConverter(PassThrough):
    """A pass-through that counts every call that would decode the source's frames."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        self.calls.append("convert")
        return super().convert(src, dst, params, progress, span)

    def prepass(self, src: Path, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        self.calls.append("prepass")
        return super().prepass(src, params)
