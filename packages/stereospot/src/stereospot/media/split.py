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

from collections.abc import Callable, Iterator
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


# Called with how far a pass is through the source (0 to 1), about every 2 % of it.
PassProgress = Callable[[float], None]
_REPORTS = 50


@dataclass(frozen=True, slots=True)
class Cuts:
    starts: tuple[int, ...]  # each segment's first keyframe, in the video's time base
    has_audio: bool
    frames: int = 0  # video frames from the first cut on: what the segments convert


@dataclass(frozen=True, slots=True)
class Split:
    paths: list[Path]  # segment files, in order
    has_audio: bool  # whether the audio was written
    frames: int  # video frames in the segments


def _step(video: Any, segment_seconds: float) -> int:
    if segment_seconds <= 0:
        raise ValueError("segment length must be positive")
    tb = Fraction(video.time_base or Fraction(1, 90000))
    return int(Fraction(segment_seconds) / tb)


def _length(container: Any, video: Any) -> int | None:
    """The source's length in the video's time base, from the headers; None when unknown."""
    tb = Fraction(video.time_base or Fraction(1, 90000))
    if video.duration:
        return int(video.duration)
    if container.duration:  # microseconds
        return int(Fraction(container.duration, 1_000_000) / tb)
    return None


def _with_cuts(
    packets: Iterator[Any],
    video: Any,
    step: int,
    length: int | None = None,
    progress: PassProgress | None = None,
) -> Iterator[tuple[Any, bool]]:
    """(packet, whether a segment starts at it) for each real packet; the video packets
    before the first keyframe are left out. `progress` hears how far the pass is, when the
    source's `length` is known."""
    cut: int | None = None
    every = max(1, length // _REPORTS) if length and progress else None
    # Counted from the first packet: many streams (MPEG-TS above all) do not start at 0.
    origin: int | None = None
    told = 0
    for packet in packets:
        if packet.dts is None and packet.pts is None:
            continue  # the demuxer's end-of-stream flush packet
        if packet.stream.index != video.index:
            yield packet, False
            continue
        pts = packet_time(packet)
        if origin is None:
            origin = pts
        if every is not None and progress is not None and length and pts - origin - told >= every:
            told = pts - origin
            progress(min(1.0, told / length))
        starts = packet.is_keyframe and (cut is None or pts - cut >= step)
        if starts:
            cut = pts
        if cut is not None:
            yield packet, starts


def cut_points(source: Path, segment_seconds: float, progress: PassProgress | None = None) -> Cuts:
    """The cuts of `source`'s first video stream: one pass over its video packets, nothing
    decoded or written."""
    starts: list[int] = []
    frames = 0
    with open_packets(source) as container:
        video = container.streams.video[0]
        step = _step(video, segment_seconds)
        length = _length(container, video)
        for packet, starts_here in _with_cuts(
            container.demux(video), video, step, length, progress
        ):
            frames += 1
            if starts_here:
                starts.append(packet_time(packet))
        has_audio = bool(container.streams.audio)
    if not starts:
        raise ValueError(f"{source.name}: no keyframes in the video stream")
    return Cuts(tuple(starts), has_audio, frames)


def split(
    source: Path,
    segment_seconds: float,
    folder: Path,
    audio: Path | None = None,
    progress: PassProgress | None = None,
) -> Split:
    """Write segment i to `folder/i.mp4` and, when `audio` is given and the source has an
    audio stream, that stream to `audio` (Matroska). One demux pass."""
    paths: list[Path] = []
    frames = 0
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
            length = _length(container, video)
            for packet, starts in _with_cuts(
                container.demux(*streams), video, step, length, progress
            ):
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
                frames += 1
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
    return Split(paths, sound_out is not None, frames)


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
