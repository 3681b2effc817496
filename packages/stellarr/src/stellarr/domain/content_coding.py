"""Content codings: which one a client accepts (RFC 9110 §12.5.3) and how to apply it.

Only gzip is offered. Every client that polls us sends it (Radarr and Sonarr, browsers,
curl --compressed), it brings the feeds to about a tenth of their size, and zlib is in the
standard library. See docs/architecture.md for why brotli and zstd are left out for now.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache

IDENTITY = "identity"
GZIP = "gzip"

# Offered codings, most preferred first; identity is always possible and not listed.
OFFERED: tuple[str, ...] = (GZIP,)

# Below this the plain body already fits in one TCP segment: compressing it saves no round
# trip and only adds a second variant to every cache.
MIN_COMPRESS_BYTES = 1024

# zlib's default. Level 9 is 2-8 % smaller on our JSON for 2.5-3x the CPU, which is paid
# on the event loop by the first poll after every write (8 ms for the 10,000-item list).
GZIP_LEVEL = 6

_ALIASES = {"x-gzip": GZIP}  # RFC 9110 §8.4.1.3: x-gzip is gzip
_QVALUE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")


def _quality(params: str) -> float | None:
    """The q parameter of one Accept-Encoding entry: 1 when absent, None when malformed."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.match(value) else None
    return 1.0


@lru_cache(maxsize=256)  # clients send a handful of distinct values, over and over
def _negotiate(header: str) -> str:
    qualities: dict[str, float] = {}
    for entry in header.split(","):
        coding, _, params = entry.partition(";")
        coding = coding.strip().lower()
        quality = _quality(params)
        # A malformed entry is dropped, not read as q=1: it may have meant a refusal.
        if not coding or quality is None:
            continue
        coding = _ALIASES.get(coding, coding)
        # Listed twice with different weights: the lower one, so a refusal always holds.
        qualities[coding] = min(quality, qualities.get(coding, quality))

    star = qualities.get("*")
    best, best_quality = IDENTITY, 0.0
    for coding in OFFERED:
        quality = qualities.get(coding, star if star is not None else 0.0)
        if quality > best_quality:
            best, best_quality = coding, quality
    if best == IDENTITY:
        # Nothing offered is acceptable. When identity is refused too the strict answer is
        # 406, but a feed must never fail over this, so the plain body goes out anyway.
        return IDENTITY
    identity = qualities.get(IDENTITY, star)
    # Identity not mentioned is acceptable but never preferred; an explicit weight above
    # the coding's is a preference for the plain body.
    if identity is not None and identity > best_quality:
        return IDENTITY
    return best


def negotiate(header: str | None) -> str:
    """The coding to answer with: one of OFFERED, or IDENTITY.

    No header at all would allow any coding, but old clients that omit it may not decode
    one, so it gets the plain body, as from nginx and every common server.
    """
    if not header:
        return IDENTITY
    return _negotiate(header)


def encode(coding: str, body: bytes) -> bytes:
    if coding == GZIP:
        # mtime=0: the same body always gives the same bytes, in every process and Lambda
        # instance, which the strong ETag of the gzip variant promises.
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(f"Unsupported content coding: {coding}")
