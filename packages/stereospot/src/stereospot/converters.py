"""Segment converters on local files: the engine when it is installed, a pass-through that
copies the video untouched (the pipeline's test double), and a decode + re-encode that
costs real CPU (for benchmarks and tests of parallel workers).

A converter returns a JSON-able report; `prepass` returns the job-level normalisation the
engine computes once per source (None when the converter has none).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import av

from stereospot.errors import SettingsError
from stereospot.media.container import open_packets
from stereospot.media.span import Span, span_packets, span_seconds

Progress = Callable[[int], None]
ENGINE_MODULE = "stereospot.engine.convert"


class Converter(Protocol):
    name: str

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        """Convert `src` (with `span`, only that stretch of it: media.span) into `dst`."""
        ...

    def prepass(self, src: Path, params: Mapping[str, Any]) -> Mapping[str, Any] | None: ...

    def preview(self, src: Path, params: Mapping[str, Any], stereo: Path, depth: Path) -> bool:
        """Write still images of one frame (its stereo frame and its depth); False when the
        converter makes none."""
        ...


def _frames_hint(stream: Any, span: Span | None) -> int:
    """About how many frames `convert` will see, for its progress; 0 when unknown."""
    if span is None:
        return int(stream.frames or 0)
    return round(span_seconds(stream, span) * float(stream.average_rate or 0))


def _video_packets(container: Any, video: Any, span: Span | None) -> Iterator[Any]:
    if span is not None:
        yield from span_packets(container, video, span)
        return
    for packet in container.demux(video):
        if packet.dts is not None or packet.pts is not None:
            yield packet


class _WithoutEngineExtras:
    """Converters that are not the engine: no job-level normalisation, no preview."""

    def prepass(self, src: Path, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return None

    def preview(self, src: Path, params: Mapping[str, Any], stereo: Path, depth: Path) -> bool:
        return False


class PassThrough(_WithoutEngineExtras):
    """Copies the video stream packet by packet: the output is the input, re-muxed."""

    name = "passthrough"

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        with open_packets(src) as inp, av.open(str(dst), "w", format="mp4") as out:
            video = inp.streams.video[0]
            stream = out.add_stream_from_template(video)
            total, count = _frames_hint(video, span), 0
            for packet in _video_packets(inp, video, span):
                packet.stream = stream
                out.mux(packet)
                count += 1
                if progress and total and count % 50 == 0:
                    progress(min(99, count * 100 // total))
        if progress:
            progress(100)
        return {"converter": self.name, "frames": count}


class Reencode(_WithoutEngineExtras):
    """Decodes every frame and encodes it again with libx264 on one thread: the CPU cost
    of a real converter without its picture work."""

    name = "reencode"

    def __init__(self, preset: str = "ultrafast") -> None:
        self.preset = preset

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
            video = inp.streams.video[0]
            video.thread_type = "NONE"
            video.codec_context.thread_count = 1
            rate = video.average_rate or Fraction(24)
            enc = out.add_stream("libx264", rate=rate, options={"preset": self.preset})
            enc.width, enc.height, enc.pix_fmt = video.width, video.height, "yuv420p"
            enc.codec_context.thread_count = 1
            enc.time_base = video.time_base
            total, count = _frames_hint(video, span), 0
            for packet in chain(_video_packets(inp, video, span), [None]):
                for frame in video.decode(packet):
                    frame.pict_type = av.video.frame.PictureType.NONE
                    out.mux(enc.encode(frame))
                    count += 1
                    if progress and total and count % 25 == 0:
                        progress(min(99, count * 100 // total))
            out.mux(enc.encode(None))
        if progress:
            progress(100)
        return {"converter": self.name, "frames": count}


class Engine:
    """The stereo engine (stereospot.engine.convert), imported with the first Engine."""

    name = "engine"

    def __init__(self) -> None:
        # Here, not at the top: a process that only copies or re-encodes (the CLI's
        # pass-through, the API server) never pays NumPy's and the engine's import.
        from stereospot.engine import convert

        self.module: Any = convert

    def convert(
        self,
        src: Path,
        dst: Path,
        params: Mapping[str, Any],
        progress: Progress | None = None,
        span: Span | None = None,
    ) -> Mapping[str, Any]:
        report: Mapping[str, Any] = self.module.convert_file(src, dst, params, progress, span)
        return report

    def prepass(self, src: Path, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        prepass = getattr(self.module, "prepass", None)
        if prepass is None:
            return None
        result: Mapping[str, Any] = prepass(src, params)
        return result

    def preview(self, src: Path, params: Mapping[str, Any], stereo: Path, depth: Path) -> bool:
        from stereospot.engine.preview import write_preview

        write_preview(src, params, depth, stereo)
        return True


def engine_available() -> bool:
    try:
        return importlib.util.find_spec(ENGINE_MODULE) is not None
    except ModuleNotFoundError:
        return False


def choose(name: str) -> Converter:
    """`engine`, `passthrough`, `reencode`, or `auto` (the engine when installed)."""
    if name == "auto":
        name = "engine" if engine_available() else "passthrough"
    if name == "engine":
        if not engine_available():
            raise SettingsError(
                f"STEREOSPOT_CONVERTER=engine, but {ENGINE_MODULE} is not installed"
            )
        return Engine()
    if name == "passthrough":
        return PassThrough()
    if name == "reencode":
        return Reencode()
    raise SettingsError(f"unknown converter {name!r}")
