"""Whether a source can enter the pipeline at all, decided from its headers alone.

A file that is not a video, has no picture, or whose picture is larger than the server
allows can never convert, however often a worker tries: `admit` says so with
`Unconvertible`, whose message is the reason a person reads, before any frame is decoded
(an 8192x8192 clip held a worker for minutes and gigabytes). The workers' runtime never
retries that error.
"""

from __future__ import annotations

from pathlib import Path

import av

from stereospot.media.container import SKIP_FRAMES

# Opening a container normally decodes its first frames to learn what the headers leave
# out: for an 8192x8192 source that alone is a 100 MB frame. With frames skipped the size
# comes from the headers. A quick look (no packets beyond the headers) is enough for the
# files people upload and costs about a millisecond, where FFmpeg's default probe reads up
# to 5 MB of packets; a file the quick look cannot size (an MPEG-TS whose picture starts
# late) is looked at again with the default probe before it is refused. PyAV passes
# skip_frame only to streams the container names before probing, so MPEG-PS, which names
# them in its packets, still has its first frame decoded by the probe (bounded: one frame).
_QUICK = {**SKIP_FRAMES, "probesize": "32", "analyzeduration": "0"}
_THOROUGH = SKIP_FRAMES


class Unconvertible(Exception):
    """The source itself can never be converted; the message says why, without paths."""


def admit(path: Path, max_side: int) -> tuple[int, int]:
    """The first video stream's (width, height), or Unconvertible with the reason. A file
    that cannot be opened for the server's own reasons (missing, unreadable) raises the
    OSError as it is: that may pass, so it is retried. Only the headers are read: a stream
    whose frames are larger than its headers say is not caught here."""
    try:
        width, height = _size(path, _QUICK)
    except Unconvertible:
        width, height = _size(path, _THOROUGH)
    if max(width, height) > max_side:
        raise Unconvertible(
            f"the video is {width}x{height} pixels; this server converts videos of at most "
            f"{max_side} pixels on the longer side"
        )
    return width, height


def _size(path: Path, options: dict[str, str]) -> tuple[int, int]:
    try:
        container = av.open(str(path), options=options)
    except (av.error.InvalidDataError, av.error.LookupError, av.error.PatchWelcomeError):
        # LookupError: no demuxer or decoder for it; PatchWelcome: a feature FFmpeg lacks.
        raise Unconvertible("the file is not a readable video") from None
    with container:
        if not container.streams.video:
            raise Unconvertible("the file has no video stream")
        context = container.streams.video[0].codec_context
        width, height = (context.width, context.height) if context is not None else (0, 0)
    if width <= 0 or height <= 0:
        raise Unconvertible("the video's picture size cannot be read")
    return width, height
