"""Join converted segments without re-encoding and put the source's audio back.

Each segment's timestamps are shifted so it starts where the previous one ended; video and
audio packets are interleaved by time so the file plays while it downloads. The index
(`moov`) goes first for the same reason, into room reserved for it before the first packet
is written, sized from the sample counts the inputs' headers give: the file is written
once. (`+faststart` would write it and then copy all of it again to move the index up;
that is kept only for inputs whose counts cannot be read, or an index that outgrew its
room, which the muxer refuses rather than truncates.)
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import chain
from pathlib import Path
from typing import Any

import av

from stereospot.media.container import open_packets

# Audio codecs an MP4 holds as they are; anything else is re-encoded to AAC.
MP4_AUDIO = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "flac", "opus"})
# What one sample costs in the index at most, in practice: its size (4 bytes), a time and
# a composition offset entry each when frame durations vary (8 + 8), its share of chunk
# offsets and sync flags. The fixed part holds the headers of both tracks.
_INDEX_PER_SAMPLE = 24
_INDEX_FIXED = 64 * 1024
# Audio packets per second when a container does not count them (Matroska): AAC at 48 kHz
# makes 47, Opus 50; an audio re-encode makes sample_rate / 1024.
_AUDIO_PACKETS_PER_SECOND = 64
_MAX_ROOM = 1 << 31  # FFmpeg's moov_size is an int; an index past it is written the long way


def _leading(packets: Iterator[Any]) -> tuple[list[Any], int | None]:
    """The packets up to the second keyframe (decode order), and the smallest pts among
    them: a segment's first picture is in its first group (an open group's leading frames
    come before the keyframe's)."""
    head: list[Any] = []
    keyframes = 0
    for packet in packets:
        if packet.is_keyframe:
            keyframes += 1
            if keyframes == 2:
                head.append(packet)
                break
        head.append(packet)
    stamps = [p.pts for p in head if p.pts is not None]
    return head, min(stamps) if stamps else None


def _video_packets(
    segments: Sequence[Path], stream: av.video.stream.VideoStream
) -> Iterator[tuple[float, int, Any]]:
    offset = Fraction(0)  # seconds where the next segment starts
    last_dts: int | None = None
    for path in segments:
        with open_packets(path) as container:
            source = container.streams.video[0]
            tb = Fraction(source.time_base or Fraction(1, 90000))
            seconds = float(tb)
            real = (p for p in container.demux(source) if p.pts is not None or p.dts is not None)
            head, first = _leading(real)
            if first is None:
                raise ValueError(f"segment {path.name} holds no video")
            shift = int(offset / tb) - first
            end = first
            for packet in chain(head, real):
                if packet.pts is not None:
                    end = max(end, packet.pts + (packet.duration or 0))
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
                # Only the interleaving order uses this time: a float is exact enough and
                # far cheaper per packet than a Fraction.
                yield when * seconds, 0, packet
        offset += (end - first) * tb


def _audio_packets(
    source: Any, out: av.container.OutputContainer, copy: bool
) -> Iterator[tuple[float, int, Any]]:
    container = source.container
    seconds = float(source.time_base or Fraction(1, 48000))
    if copy:
        stream = out.add_stream_from_template(source)
        start: int | None = None
        for packet in container.demux(source):
            if packet.dts is None and packet.pts is None:
                continue
            if start is None and packet.dts is not None:
                start = packet.dts
            packet.stream = stream
            at = (packet.dts - (start or 0)) * seconds if packet.dts is not None else 0.0
            yield at, 1, packet
        return
    encoder = out.add_stream("aac", rate=source.codec_context.sample_rate or 48000)
    for frame in container.decode(source):
        frame.pts = None  # the encoder numbers samples itself
        for packet in encoder.encode(frame):
            yield float(packet.pts * packet.time_base) if packet.pts else 0.0, 1, packet
    for packet in encoder.encode(None):
        yield float(packet.pts * packet.time_base) if packet.pts else 0.0, 1, packet


def _index_room(segments: Sequence[Path], sound: Any) -> int | None:
    """Bytes to reserve for the index, or None when a count cannot be read."""
    samples = 0
    for path in segments:
        with open_packets(path) as container:
            frames = container.streams.video[0].frames
        if not frames:
            return None
        samples += frames
    if sound is not None:
        copied = sound.codec_context.name in MP4_AUDIO
        if copied and sound.frames:
            samples += sound.frames  # MP4/MOV count a copied codec's packets
        else:
            # Re-encoded to AAC (1,024 samples a packet), or not counted (Matroska). PCM in
            # MOV or AVI counts single samples as frames: thousands of times its packets.
            seconds = (sound.container.duration or 0) / 1_000_000
            if not seconds:
                return None
            rate = sound.codec_context.sample_rate or 48000
            per_second = rate / 1024 if not copied else max(_AUDIO_PACKETS_PER_SECOND, rate / 1024)
            samples += int(seconds * per_second) + 1
    room = _INDEX_FIXED + _INDEX_PER_SAMPLE * samples
    return room if room < _MAX_ROOM else None


def join(segments: Sequence[Path], audio: Path | None, dest: Path) -> None:
    """Write `dest` (MP4) from the segments in order and, when given, the first audio
    stream of `audio` (an audio file, or the source itself; one without sound adds none)."""
    if not segments:
        raise ValueError("nothing to join")
    with contextlib.ExitStack() as stack:
        sound = container = None
        if audio is not None:
            container = stack.enter_context(open_packets(audio))
            sound = container.streams.audio[0] if container.streams.audio else None
        room = _index_room(segments, sound)
        if room is not None:
            try:
                _write(segments, sound, dest, {"moov_size": str(room)})
                return
            except av.error.FFmpegError:
                # The index outgrew its room (the muxer says so when closing): write it
                # the long way. Any other failure happens again below and is raised there.
                dest.unlink(missing_ok=True)
                if container is not None:
                    container.seek(0)
        _write(segments, sound, dest, {"movflags": "+faststart"})


def _write(segments: Sequence[Path], sound: Any, dest: Path, options: dict[str, str]) -> None:
    with open_packets(segments[0]) as first:
        template = first.streams.video[0]
        with av.open(str(dest), "w", format="mp4", options=options) as out:
            video = out.add_stream_from_template(template)
            streams = [_video_packets(segments, video)]
            if sound is not None:
                copy = sound.codec_context.name in MP4_AUDIO
                streams.append(_audio_packets(sound, out, copy))
            # Taking each generator's first packet opens its input and adds its output
            # stream, so every stream exists before the first mux writes the header.
            heads = [next(s, None) for s in streams]
            sources = [chain([h], s) for h, s in zip(heads, streams, strict=True) if h]
            for _, _, packet in heapq.merge(*sources, key=lambda item: (item[0], item[1])):
                out.mux(packet)
