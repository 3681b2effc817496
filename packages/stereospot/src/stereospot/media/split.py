"""Split a source's video into segments at keyframes by stream copy.

`split` does it in one demux pass: the cut rule only looks back (a cut is the first keyframe
at or after the previous cut plus the segment length), so cuts are decided as packets
arrive, segments go to files named by index, and the total is known when the pass ends,
before any segment is published under its `<index>_<total>` name. The audio is copied in
the same pass, whole, into its own file for the reassembler. Each segment starts at a
keyframe and its timestamps are shifted to start at zero.

`cut_points`, `write_segments` and `extract_audio` are the same steps as separate passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

# Matroska holds any audio codec, so the copy never needs a re-encode.
AUDIO_SUFFIX = ".mka"


def cut_points(source: Path, segment_seconds: float) -> list[int]:
    """Keyframe pts (in the video stream's time base) where segments start; the first is the
    stream's first keyframe. A cut lands on the first keyframe at or after each multiple of
    `segment_seconds` counted from the previous cut, so a sparse keyframe grid still makes
    segments of at least that length."""
    if segment_seconds <= 0:
        raise ValueError("segment length must be positive")
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        tb = Fraction(video.time_base or Fraction(1, 90000))
        step = int(Fraction(segment_seconds) / tb)
        keyframes = sorted(
            p.pts for p in container.demux(video) if p.pts is not None and p.is_keyframe
        )
    if not keyframes:
        raise ValueError(f"{source.name}: no keyframes in the video stream")
    cuts = [keyframes[0]]
    for pts in keyframes[1:]:
        if pts - cuts[-1] >= step:
            cuts.append(pts)
    return cuts


def _packets(source: Path) -> Iterator[tuple[Any, int]]:
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        for packet in container.demux(video):
            if packet.dts is None and packet.pts is None:
                continue  # the demuxer's end-of-stream flush packet
            yield packet, packet.pts if packet.pts is not None else int(packet.dts or 0)


def write_segments(source: Path, cuts: list[int], folder: Path) -> list[Path]:
    """Write segment i of len(cuts) to `folder/i.mp4`; returns the paths in order."""
    paths = [folder / f"{i}.mp4" for i in range(len(cuts))]
    with av.open(str(source)) as template_container:
        template = template_container.streams.video[0]
        index = -1
        out: av.container.OutputContainer | None = None
        stream = None
        shift = 0
        try:
            for packet, pts in _packets(source):
                # A packet belongs to the last cut at or before its pts; decode-order
                # packets before the first cut (leading B-frames) go to segment 0.
                while index + 1 < len(cuts) and pts >= cuts[index + 1] and packet.is_keyframe:
                    index += 1
                    if out is not None:
                        out.close()
                    out = av.open(str(paths[index]), "w", format="mp4")
                    stream = out.add_stream_from_template(template)
                    shift = cuts[index]
                if out is None or stream is None:
                    continue
                if packet.pts is not None:
                    packet.pts -= shift
                if packet.dts is not None:
                    packet.dts -= shift
                packet.stream = stream
                out.mux(packet)
        finally:
            if out is not None:
                out.close()
    return paths


def split(
    source: Path, segment_seconds: float, folder: Path, audio: Path | None = None
) -> tuple[list[Path], bool]:
    """Write segment i to `folder/i.mp4` and, when `audio` is given and the source has an
    audio stream, that stream to `audio` (Matroska). One demux pass; the cuts are exactly
    `cut_points`'. Returns (segment paths in order, whether audio was written)."""
    if segment_seconds <= 0:
        raise ValueError("segment length must be positive")
    paths: list[Path] = []
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        tb = Fraction(video.time_base or Fraction(1, 90000))
        step = int(Fraction(segment_seconds) / tb)
        wanted = audio is not None and container.streams.audio
        sound = container.streams.audio[0] if wanted else None
        sound_out: av.container.OutputContainer | None = None
        sound_stream = None
        out: av.container.OutputContainer | None = None
        stream = None
        cut: int | None = None
        try:
            if sound is not None and audio is not None:
                sound_out = av.open(str(audio), "w", format="matroska")
                sound_stream = sound_out.add_stream_from_template(sound)
            streams = (video, sound) if sound is not None else (video,)
            for packet in container.demux(*streams):
                if packet.dts is None and packet.pts is None:
                    continue  # the demuxer's end-of-stream flush packet
                if packet.stream.index != video.index:
                    assert sound_out is not None and sound_stream is not None
                    packet.stream = sound_stream
                    sound_out.mux(packet)
                    continue
                pts = packet.pts if packet.pts is not None else int(packet.dts or 0)
                if packet.is_keyframe and (cut is None or pts - cut >= step):
                    cut = pts
                    if out is not None:
                        out.close()
                    paths.append(folder / f"{len(paths)}.mp4")
                    out = av.open(str(paths[-1]), "w", format="mp4")
                    stream = out.add_stream_from_template(video)
                if out is None or stream is None or cut is None:
                    continue  # before the first keyframe
                if packet.pts is not None:
                    packet.pts -= cut
                if packet.dts is not None:
                    packet.dts -= cut
                packet.stream = stream
                out.mux(packet)
        finally:
            if out is not None:
                out.close()
            if sound_out is not None:
                sound_out.close()
    if not paths:
        raise ValueError(f"{source.name}: no keyframes in the video stream")
    return paths, sound_out is not None


def extract_audio(source: Path, dest: Path) -> bool:
    """Copy the first audio stream to `dest` (Matroska); False when there is none."""
    with av.open(str(source)) as container:
        if not container.streams.audio:
            return False
        audio = container.streams.audio[0]
        with av.open(str(dest), "w", format="matroska") as out:
            stream = out.add_stream_from_template(audio)
            for packet in container.demux(audio):
                if packet.dts is None and packet.pts is None:
                    continue
                packet.stream = stream
                out.mux(packet)
    return True
