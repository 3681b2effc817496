"""Download names that VR players recognise: the format's tag before the extension, unless
the name carries a stereo tag already."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

TAGS = {
    "full-sbs": "_Full_SBS_LR",
    "half-sbs": "_Half_SBS_LR",
    "full-tb": "_Full_TB",
    "half-tb": "_Half_TB",
    "anaglyph": "_Anaglyph",
}
_HAS_TAG = re.compile(r"(_|\b)(LR|RL|SBS|TB|OU|3DH|3DV|Anaglyph)(_|\b)", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w.\- ]+")


def tagged(name: str, fmt: str, suffix: str = ".mp4") -> str:
    """`holiday.mov`, half-sbs -> `holiday_Half_SBS_LR.mp4`."""
    path = PurePosixPath(name.replace("\\", "/"))
    stem = _UNSAFE.sub("_", path.stem).strip(" ._") or "video"
    tag = "" if _HAS_TAG.search(stem) else TAGS.get(fmt, "")
    return f"{stem}{tag}{suffix}"
