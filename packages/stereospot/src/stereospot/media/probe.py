"""What tests, the chunker and the reassembler need to know about a file."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from stereospot.media.container import open_packets


@dataclass(frozen=True, slots=True)
class MediaInfo:
    video_frames: int  # packets of the first video stream: one per frame
    duration: float  # seconds, from the video stream's first to last frame end
    keyframes: tuple[float, ...]  # presentation times (s) of video keyframes
    has_audio: bool
    audio_codec: str | None
    width: int
    height: int


def probe(path: Path) -> MediaInfo:
    with open_packets(path) as container:
        if not container.streams.video:
            raise ValueError(f"{path.name}: no video stream")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        tb = Fraction(video.time_base or Fraction(1, 90000))
        frames = 0
        start: int | None = None
        end = 0
        keyframes: list[float] = []
        for packet in container.demux(video):
            if packet.pts is None:
                continue
            frames += 1
            start = packet.pts if start is None else min(start, packet.pts)
            end = max(end, packet.pts + (packet.duration or 0))
            if packet.is_keyframe:
                keyframes.append(float(packet.pts * tb))
        first = start or 0
        return MediaInfo(
            video_frames=frames,
            duration=float((end - first) * tb),
            keyframes=tuple(sorted(t - float(first * tb) for t in keyframes)),
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            width=video.codec_context.width,
            height=video.codec_context.height,
        )


def frame_size(path: Path) -> tuple[int, int]:
    """The first video stream's width and height from the header alone: `probe` reads every
    packet, which on a two-hour film is seconds spent to print one line."""
    with open_packets(path) as container:
        if not container.streams.video:
            raise ValueError(f"{path.name}: no video stream")
        context = container.streams.video[0].codec_context
        return context.width, context.height


def header_duration(path: Path) -> float | None:
    """The container's duration in seconds as its header gives it (None when it does
    not): `probe` reads every packet to find the video's own."""
    with open_packets(path) as container:
        return None if container.duration is None else container.duration / 1_000_000
