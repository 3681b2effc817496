"""One segment of a source read in place: the video packets between two keyframe cuts.

A local job is not cut into segment files: the chunker records where the cuts fall
(`split.cut_points`) and each video worker reads its own span straight from the source.
A span is `(start, end)`, presentation times in the source's video time base of the
keyframe that starts the segment and of the one that starts the next (None for the last);
its packets are the ones a segment file cut there would hold, in the same order, with
timestamps shifted to start at zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

Span = tuple[int, int | None]


def span_of(starts: Sequence[int], index: int) -> Span:
    """Segment `index`'s span, from every segment's first keyframe."""
    return starts[index], starts[index + 1] if index + 1 < len(starts) else None


class SpanNotFound(ValueError):
    """The source has no keyframe where the span says it starts."""


# Timestamps are 64-bit in FFmpeg; a span past this cannot come from a real file.
_LIMIT = 1 << 62


def check_span(value: Any) -> Span:
    """A span from JSON (`[start, end]`, end null for the last), or ValueError."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("span must be [start, end]")
    start, end = value
    if isinstance(start, bool) or not isinstance(start, int) or not -_LIMIT < start < _LIMIT:
        raise ValueError("span start must be an integer timestamp")
    if end is not None and (
        isinstance(end, bool) or not isinstance(end, int) or not start < end < _LIMIT
    ):
        raise ValueError("span end must be an integer timestamp after its start, or null")
    return start, end


def span_seconds(video: Any, span: Span) -> float:
    """How long `span` of the `video` stream lasts, from its header (the last span runs
    to the stream's end)."""
    start, end = span
    tb = video.time_base
    if tb is None:
        return 0.0
    if end is not None:
        return max(0.0, float((end - start) * tb))
    first = video.start_time or 0
    if video.duration is not None:
        whole = float(video.duration * tb)
    else:  # Matroska names only the container's duration (microseconds)
        whole = (video.container.duration or 0) / 1_000_000
    return max(0.0, whole - float((start - first) * tb))


def packet_time(packet: Any) -> int:
    """A packet's presentation time, or its decode time where it has none."""
    return int(packet.pts if packet.pts is not None else packet.dts)


def span_packets(container: Any, video: Any, span: Span) -> Iterator[Any]:
    """The video packets of `span`, in demux order, shifted so the first keyframe is at 0.

    Seeks to the span's keyframe first (MP4 and Matroska index them, so it lands there);
    a container whose seek lands past it is read again from its start."""
    start, end = span
    for seek in (True, False):
        try:
            container.seek(start if seek else 0, stream=video, backward=True, any_frame=False)
        except (OSError, OverflowError, ValueError):  # av's errors are OSError or ValueError
            if seek:
                continue  # no seeking there: read from the start
            raise
        started = False
        for packet in container.demux(video):
            if packet.dts is None and packet.pts is None:
                continue  # the demuxer's end-of-stream flush packet
            pts = packet_time(packet)
            if not started:
                if not packet.is_keyframe or pts < start:
                    continue
                if pts > start:
                    break  # the seek went past the cut: read from the start instead
                started = True
            elif end is not None and packet.is_keyframe and pts >= end:
                return
            if packet.pts is not None:
                packet.pts -= start
            if packet.dts is not None:
                packet.dts -= start
            yield packet
        if started:
            return
    raise SpanNotFound(f"no keyframe at {start} in the video stream")
