"""Where a source's segments start, and (for stores on other machines) the segment files.

Both decide the cuts in one demux pass: the cut rule only looks back (a cut is the first
keyframe at or after the previous cut plus the segment length), so cuts are decided as
packets arrive and the total is known when the pass ends, before anything is published
under an `<index>_<total>` name.

- `cut_points` records the cuts and writes nothing: a local job's video workers read their
  spans from the source in place (`span.span_packets`), and the join takes the audio from
  the source too.
- `split` writes segment i to a file of its own (keyframe first, timestamps shifted to start
  at zero) and copies the audio, whole, into a Matroska file: on AWS the video workers are
  other machines and fetch only their segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from stereospot.media.admission import Unconvertible
from stereospot.media.container import open_packets
from stereospot.media.span import packet_time, span_packets

# Matroska holds any audio codec, so the copy never needs a re-encode.
AUDIO_SUFFIX = ".mka"


@dataclass(frozen=True, slots=True)
class Cuts:
    starts: tuple[int, ...]  # each segment's first keyframe, in the video's time base
    has_audio: bool


def _step(video: Any, segment_seconds: float) -> int:
    if segment_seconds <= 0:
        raise ValueError("segment length must be positive")
    tb = Fraction(video.time_base or Fraction(1, 90000))
    return int(Fraction(segment_seconds) / tb)


def _with_cuts(packets: Iterator[Any], video: Any, step: int) -> Iterator[tuple[Any, bool]]:
    """(packet, whether a segment starts at it) for each real packet; the video packets
    before the first keyframe are left out."""
    cut: int | None = None
    for packet in packets:
        if packet.dts is None and packet.pts is None:
            continue  # the demuxer's end-of-stream flush packet
        if packet.stream.index != video.index:
            yield packet, False
            continue
        pts = packet_time(packet)
        starts = packet.is_keyframe and (cut is None or pts - cut >= step)
        if starts:
            cut = pts
        if cut is not None:
            yield packet, starts


def cut_points(source: Path, segment_seconds: float) -> Cuts:
    """The cuts of `source`'s first video stream: one pass over its video packets, nothing
    decoded or written."""
    with open_packets(source) as container:
        video = container.streams.video[0]
        step = _step(video, segment_seconds)
        starts = [
            packet_time(p)
            for p, starts in _with_cuts(container.demux(video), video, step)
            if starts
        ]
        has_audio = bool(container.streams.audio)
    if not starts:
        raise ValueError(f"{source.name}: no keyframes in the video stream")
    return Cuts(tuple(starts), has_audio)


def split(
    source: Path, segment_seconds: float, folder: Path, audio: Path | None = None
) -> tuple[list[Path], bool]:
    """Write segment i to `folder/i.mp4` and, when `audio` is given and the source has an
    audio stream, that stream to `audio` (Matroska). One demux pass. Returns (segment
    paths in order, whether audio was written)."""
    paths: list[Path] = []
    with open_packets(source) as container:
        video = container.streams.video[0]
        step = _step(video, segment_seconds)
        wanted = audio is not None and container.streams.audio
        sound = container.streams.audio[0] if wanted else None
        sound_out: av.container.OutputContainer | None = None
        sound_stream = None
        out: av.container.OutputContainer | None = None
        stream = None
        cut = 0
        try:
            if sound is not None and audio is not None:
                sound_out = av.open(str(audio), "w", format="matroska")
                sound_stream = sound_out.add_stream_from_template(sound)
            streams = (video, sound) if sound is not None else (video,)
            for packet, starts in _with_cuts(container.demux(*streams), video, step):
                if packet.stream.index != video.index:
                    assert sound_out is not None and sound_stream is not None
                    packet.stream = sound_stream
                    sound_out.mux(packet)
                    continue
                if starts:
                    cut = packet_time(packet)
                    if out is not None:
                        out.close()
                    paths.append(folder / f"{len(paths)}.mp4")
                    out = av.open(str(paths[-1]), "w", format="mp4")
                    stream = out.add_stream_from_template(video)
                assert out is not None and stream is not None
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


def trial_span(source: Path, start: float, seconds: float) -> tuple[int, int | None]:
    """The stretch of `source` a test render converts: from the last keyframe at or before
    `start` seconds (the first keyframe, if none is) to the first keyframe at least
    `seconds` later (None: to the end). One pass over the video packets up to there; a
    start past the last frame is Unconvertible (the job fails saying so)."""
    with open_packets(source) as container:
        video = container.streams.video[0]
        tb = Fraction(video.time_base or Fraction(1, 90000))
        first = video.start_time or 0
        wanted = first + int(Fraction(start) / tb)
        step = int(Fraction(seconds) / tb)
        begin: int | None = None
        last: int | None = None
        for packet in container.demux(video):
            if packet.dts is None and packet.pts is None:
                continue
            pts = packet_time(packet)
            last = pts if last is None else max(last, pts)
            if not packet.is_keyframe:
                continue
            if begin is not None and pts >= max(begin, wanted) + step:
                return begin, pts
            if begin is None or pts <= wanted:
                begin = pts
    if begin is None or last is None:
        raise ValueError(f"{source.name}: no keyframes in the video stream")
    if wanted > last:
        ends = float((last - first) * tb)
        raise Unconvertible(
            f"the test render starts at {start:g} s, after the video's end at {ends:.1f} s"
        )
    return begin, None


def write_span(source: Path, span: tuple[int, int | None], dest: Path) -> None:
    """`span` of the source's video as a file of its own (a segment for other machines)."""
    with open_packets(source) as container, av.open(str(dest), "w", format="mp4") as out:
        video = container.streams.video[0]
        stream = out.add_stream_from_template(video)
        for packet in span_packets(container, video, span):
            packet.stream = stream
            out.mux(packet)
