"""Join converted segments without re-encoding and put the source's audio back.

Each segment's timestamps are shifted so it starts where the previous one ended; video and
audio packets are interleaved by time so the file plays while it downloads, and `faststart`
puts the index first for the same reason.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import chain
from pathlib import Path
from typing import Any

import av

# Audio codecs an MP4 holds as they are; anything else is re-encoded to AAC.
MP4_AUDIO = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "flac", "opus"})


def _segment_span(path: Path) -> tuple[int, int, Fraction]:
    """(first pts, end pts, time base) of the video stream."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        first: int | None = None
        end = 0
        for packet in container.demux(video):
            if packet.pts is None:
                continue
            first = packet.pts if first is None else min(first, packet.pts)
            end = max(end, packet.pts + (packet.duration or 0))
        if first is None:
            raise ValueError(f"segment {path.name} holds no video")
        return first, end, Fraction(video.time_base or Fraction(1, 90000))


def _video_packets(
    segments: Sequence[Path], stream: av.video.stream.VideoStream
) -> Iterator[tuple[float, int, Any]]:
    offset = Fraction(0)  # seconds where the next segment starts
    last_dts: int | None = None
    for path in segments:
        first, end, tb = _segment_span(path)
        shift = int(offset / tb) - first
        with av.open(str(path)) as container:
            source = container.streams.video[0]
            for packet in container.demux(source):
                if packet.pts is None and packet.dts is None:
                    continue
                if packet.pts is not None:
                    packet.pts += shift
                if packet.dts is not None:
                    packet.dts += shift
                    # Encoders may start each segment with a different reorder delay; decode
                    # timestamps must still grow strictly across the seam.
                    if last_dts is not None and packet.dts <= last_dts:
                        packet.dts = last_dts + 1
                        if packet.pts is not None and packet.pts < packet.dts:
                            packet.pts = packet.dts
                    last_dts = packet.dts
                packet.stream = stream
                when: int = packet.dts if packet.dts is not None else (packet.pts or 0)
                at = float(when * tb)
                yield at, 0, packet
        offset += (end - first) * tb


def _audio_packets(
    audio: Path, out: av.container.OutputContainer, copy: bool
) -> Iterator[tuple[float, int, Any]]:
    with av.open(str(audio)) as container:
        source = container.streams.audio[0]
        tb = Fraction(source.time_base or Fraction(1, 48000))
        if copy:
            stream = out.add_stream_from_template(source)
            start: int | None = None
            for packet in container.demux(source):
                if packet.dts is None and packet.pts is None:
                    continue
                if start is None and packet.dts is not None:
                    start = packet.dts
                packet.stream = stream
                at = float((packet.dts - (start or 0)) * tb) if packet.dts is not None else 0.0
                yield at, 1, packet
            return
        encoder = out.add_stream("aac", rate=source.codec_context.sample_rate or 48000)
        for frame in container.decode(source):
            frame.pts = None  # the encoder numbers samples itself
            for packet in encoder.encode(frame):
                yield float(packet.pts * packet.time_base) if packet.pts else 0.0, 1, packet
        for packet in encoder.encode(None):
            yield float(packet.pts * packet.time_base) if packet.pts else 0.0, 1, packet


def join(segments: Sequence[Path], audio: Path | None, dest: Path) -> None:
    """Write `dest` (MP4) from the segments in order and, when given, the audio file."""
    if not segments:
        raise ValueError("nothing to join")
    with av.open(str(segments[0])) as first:
        template = first.streams.video[0]
        with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = out.add_stream_from_template(template)
            streams = [_video_packets(segments, video)]
            if audio is not None:
                with av.open(str(audio)) as probe:
                    codec = probe.streams.audio[0].codec_context.name
                streams.append(_audio_packets(audio, out, copy=codec in MP4_AUDIO))
            # Taking each generator's first packet opens its input and adds its output
            # stream, so every stream exists before the first mux writes the header.
            heads = [next(s, None) for s in streams]
            sources = [chain([h], s) for h, s in zip(heads, streams, strict=True) if h]
            for _, _, packet in heapq.merge(*sources, key=lambda item: (item[0], item[1])):
                out.mux(packet)
