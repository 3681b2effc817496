"""Text from upstream (TMDB titles and overviews, later Plex), made safe for every output.

XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF, so one such character in a title would
make every RSS feed unparseable; a lone surrogate (valid in JSON escapes, invalid in UTF-8)
makes encoding the response fail. Cleaning once where text enters keeps every output valid.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def clean_tree(value: Any) -> Any:
    """The same JSON value with every string (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    return value
