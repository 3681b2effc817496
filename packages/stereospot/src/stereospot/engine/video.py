"""Video in and out with PyAV: streamed frames, source timing and colour kept, audio carried.

Reading yields each frame already scaled by swscale to the sizes the engine needs (the eye
view, the depth model's input), so the full-size RGB frame is never built for half formats.
Writing encodes H.264 (libx264), or HEVC (libx265) when the frame is wider than H.264
players decode, with each frame's source timestamp: the frame rate is whatever the source
has, variable rates included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from stereospot.media.span import Span, span_packets, span_seconds

# Wider than this and H.264 is past level 5.2 (4096 px), which headsets and TVs do not
# decode; their HEVC decoders take 8K, so Full SBS of a 4K film becomes HEVC.
H264_MAX_WIDTH = 4096
# Audio the MP4/MOV muxer takes as it is; anything else (PCM, Vorbis...) becomes AAC.
MP4_AUDIO = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "flac", "opus"})
_UNSPECIFIED = 2
_MAX_REORDER_TICKS = 1 << 30  # FFmpeg's AVCOL_*_UNSPECIFIED for primaries, transfer and matrix


@dataclass(frozen=True)
class SourceInfo:
    width: int
    height: int
    rate: Fraction
    time_base: Fraction
    frames: int
    duration: float
    colorspace: int
    color_range: int
    color_primaries: int
    color_trc: int
    audio_codec: str | None

    @property
    def matrix(self) -> int:
        """The RGB<->YUV matrix to convert with: the tagged one, else FFmpeg's guess by size."""
        if self.colorspace not in (0, _UNSPECIFIED):
            return self.colorspace
        return 1 if self.height >= 720 else 5  # BT.709 for HD, BT.601 below


@dataclass(frozen=True)
class Decoded:
    index: int
    pts: int | None
    time_base: Fraction
    images: tuple[NDArray[np.uint8], ...]


class VideoReader:
    """One source file, or a span of it (media.span), decoded in presentation order."""

    def __init__(self, path: Path, span: Span | None = None) -> None:
        self.container = av.open(str(path))
        self.span = span
        if not self.container.streams.video:
            self.container.close()
            raise ValueError(f"{path} has no video stream")
        self.video = self.container.streams.video[0]
        self.video.thread_type = "AUTO"  # frame threads: decoding overlaps across cores
        audio = self.container.streams.audio
        # A span is one segment of a job, whose join puts the source's audio back.
        self.audio = audio[0] if audio and span is None else None
        cc = self.video.codec_context
        rate = self.video.average_rate or self.video.guessed_rate or Fraction(25)
        tb = self.video.time_base or Fraction(1, 90000)
        if self.video.duration is not None:
            duration = float(self.video.duration * tb)
        else:
            duration = (self.container.duration or 0) / 1_000_000
        frames = self.video.frames or round(duration * float(rate))
        if span is not None:
            duration = span_seconds(self.video, span)
            frames = round(duration * float(rate))
        self.info = SourceInfo(
            width=cc.width,
            height=cc.height,
            rate=Fraction(rate),
            time_base=Fraction(tb),
            frames=frames,
            duration=duration,
            colorspace=int(cc.colorspace),
            color_range=int(cc.color_range),
            color_primaries=int(cc.color_primaries),
            color_trc=int(cc.color_trc),
            audio_codec=self.audio.codec_context.name if self.audio else None,
        )
        self._scalers: dict[tuple[int, int], VideoReformatter] = {}

    def to_rgb(self, frame: av.VideoFrame, size: tuple[int, int]) -> NDArray[np.uint8]:
        scaler = self._scalers.setdefault(size, VideoReformatter())
        rgb = scaler.reformat(
            frame,
            width=size[0],
            height=size[1],
            format="rgb24",
            src_colorspace=self.info.matrix,
            src_color_range=self.info.color_range or 1,
            interpolation="AREA" if size[0] < frame.width else "BILINEAR",
        )
        out: NDArray[np.uint8] = rgb.to_ndarray()  # type: ignore[assignment]  # rgb24: uint8
        return out

    def frames(
        self, sizes: tuple[tuple[int, int], ...], audio_out: Any = None
    ) -> Iterator[Decoded]:
        """Every frame at each of `sizes` (width, height); audio packets go to `audio_out`."""
        index = 0
        for packet in self._packets(audio_out):
            if packet is not None and packet.stream is not self.video:
                if packet.size:
                    audio_out(packet)
                continue
            for frame in self.video.decode(packet):
                assert isinstance(frame, av.VideoFrame)
                images = tuple(self.to_rgb(frame, size) for size in sizes)
                yield Decoded(index, frame.pts, self.info.time_base, images)
                index += 1

    def _packets(self, audio_out: Any) -> Iterator[Any]:
        """The packets to decode, then None (the decoder's flush)."""
        if self.span is not None:
            yield from span_packets(self.container, self.video, self.span)
            yield None
            return
        streams = [self.video] + ([self.audio] if self.audio is not None and audio_out else [])
        # The demuxer's own last packet is empty: decoding it flushes the decoder.
        yield from self.container.demux(*streams)

    def sample(self, count: int, size: tuple[int, int]) -> list[NDArray[np.uint8]]:
        """About `count` frames spread evenly over the source, found by seeking to keyframes."""
        out: list[NDArray[np.uint8]] = []
        duration = self.info.duration
        for i in range(count):
            target = duration * (i + 0.5) / count
            self.container.seek(int(target / self.info.time_base), stream=self.video)
            for frame in self.container.decode(self.video):
                assert isinstance(frame, av.VideoFrame)
                out.append(self.to_rgb(frame, size))
                break
        return out

    def close(self) -> None:
        self.container.close()


class VideoWriter:
    """The stereo output: H.264/HEVC yuv420p with the source's timing, colour and audio."""

    def __init__(
        self,
        path: Path,
        info: SourceInfo,
        size: tuple[int, int],
        *,
        preset: str,
        crf: int,
        packing: str | None,
        audio: Any = None,
    ) -> None:
        self.info = info
        self.container = av.open(str(path), "w")
        mp4_like = path.suffix.lower() in (".mp4", ".m4v", ".mov")
        codec = "libx264" if size[0] <= H264_MAX_WIDTH else "libx265"
        options = {"preset": preset, "crf": str(crf)}
        if codec == "libx264" and packing:
            # A frame-packing SEI (3 side by side, 4 top-bottom) tells TVs and players the
            # layout from the bitstream itself, whatever the container.
            options["x264-params"] = f"frame-packing={3 if packing == 'left_right' else 4}"
        if codec == "libx265":
            options["x265-params"] = "log-level=error"
        stream = cast(
            "av.VideoStream", self.container.add_stream(codec, rate=info.rate, options=options)
        )
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.thread_type = "AUTO"
        cc = stream.codec_context
        cc.time_base = info.time_base
        cc.colorspace = info.colorspace
        cc.color_range = info.color_range
        cc.color_primaries = info.color_primaries
        cc.color_trc = info.color_trc
        if codec == "libx265" and mp4_like:
            cc.codec_tag = "hvc1"  # what Apple players and Quest's browser look for
        if packing and not mp4_like:
            stream.metadata["stereo_mode"] = packing  # Matroska's StereoMode element
        self.video = stream
        self.codec = codec
        self._scaler = VideoReformatter()
        self._last_dts: int | None = None
        self.audio_in = audio
        self.audio_out: Any = None
        self._transcode = False
        if audio is not None:
            if mp4_like and audio.codec_context.name not in MP4_AUDIO:
                rate = audio.codec_context.sample_rate
                self.audio_out = self.container.add_stream("aac", rate=rate)
                self._transcode = True
            else:
                self.audio_out = self.container.add_stream_from_template(audio)
        self.audio_mode = None if audio is None else ("aac" if self._transcode else "copy")

    def write(self, rgb: NDArray[np.uint8], pts: int | None, time_base: Fraction) -> None:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        yuv = self._scaler.reformat(
            frame,
            format="yuv420p",
            src_colorspace=self.info.matrix,
            dst_colorspace=self.info.matrix,
            dst_color_range=self.info.color_range or 1,
        )
        yuv.pts = pts
        yuv.time_base = time_base
        yuv.colorspace = self.info.colorspace
        yuv.color_range = self.info.color_range
        yuv.color_primaries = self.info.color_primaries
        yuv.color_trc = self.info.color_trc
        for packet in self.video.encode(yuv):
            self._mux_video(packet)

    def _mux_video(self, packet: Any) -> None:
        # libx265 hands out garbage decode timestamps for clips of two frames (billions of
        # ticks before the pts), which MP4 refuses; a sane one is the pts, kept increasing.
        pts, dts = packet.pts, packet.dts
        if pts is not None and (dts is None or not 0 <= pts - dts < _MAX_REORDER_TICKS):
            dts = pts if self._last_dts is None or pts > self._last_dts else self._last_dts + 1
            packet.dts = dts
        self._last_dts = packet.dts
        self.container.mux(packet)

    def write_audio(self, packet: Any) -> None:
        if self.audio_out is None:
            return
        if not self._transcode:
            packet.stream = self.audio_out
            self.container.mux(packet)
            return
        for frame in packet.decode():
            frame.pts = None  # the encoder numbers samples itself after resampling
            for out in self.audio_out.encode(frame):
                self.container.mux(out)

    def close(self) -> None:
        for packet in self.video.encode(None):
            self._mux_video(packet)
        if self._transcode:
            for packet in self.audio_out.encode(None):
                self.container.mux(packet)
        self.container.close()
