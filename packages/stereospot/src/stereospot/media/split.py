"""Split a source's video into segments at keyframes by stream copy.

`split` does it in one demux pass: the cut rule only looks back (a cut is the first keyframe
at or after the previous cut plus the segment length), so cuts are decided as packets
arrive, segments go to files named by index, and the total is known when the pass ends,
before any segment is published under its `<index>_<total>` name. The audio is copied in
the same pass, whole, into its own file for the reassembler. Each segment starts at a
keyframe and its timestamps are shifted to start at zero.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

# Matroska holds any audio codec, so the copy never needs a re-encode.
AUDIO_SUFFIX = ".mka"


def split(
    source: Path, segment_seconds: float, folder: Path, audio: Path | None = None
) -> tuple[list[Path], bool]:
    """Write segment i to `folder/i.mp4` and, when `audio` is given and the source has an
    audio stream, that stream to `audio` (Matroska). One demux pass. A cut lands on the
    first keyframe at or after the previous cut plus `segment_seconds`, so a sparse keyframe
    grid still makes segments of at least that length. Returns (segment paths in order,
    whether audio was written)."""
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
