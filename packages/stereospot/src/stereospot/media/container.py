"""Opening a file for its packets, not its pictures.

FFmpeg's stream probe decodes a file's first frames to learn what the headers leave out
(about 40 ms for a 1080p H.264 source, and a 100 MB frame for an 8192x8192 one). A stream
copy never decodes, and a job's stream copies (cut points, pass-through, the join) open the
same film several times, so they open it with frames skipped: the packets and the codec
parameters a muxer copies are the same (a test compares the bytes of both re-muxes).
"""

from __future__ import annotations

from pathlib import Path

import av

SKIP_FRAMES = {"skip_frame": "all"}


def open_packets(path: Path) -> av.container.InputContainer:
    """`path` opened to read packets (a decoder opened on it later still decodes)."""
    return av.open(str(path), options=SKIP_FRAMES)
