"""P-256 private keys in the form `stellarr gen-vapid` prints (a base64url 32-byte scalar),
recognised without a cryptography library.

Settings parse VAPID_PRIVATE_KEY whenever they are read, which on Lambda is during a cold
start: loading `cryptography` for that one check cost about 14 ms of it
(bench/lambda_lean.py). PEM and DER keys still go through `stellarr.clients.vapid`.
"""

from __future__ import annotations

import re

from stellarr.domain.tokens import b64url, b64url_decode

# The order n of the P-256 group (SEC 2, section 2.4.2): a private key is 1 <= d < n.
ORDER = 0xFFFFFFFF_00000000_FFFFFFFF_FFFFFFFF_BCE6FAAD_A7179E84_F3B9CAC2_FC632551
_SCALAR = re.compile(r"[A-Za-z0-9_-]{43}=?")


def canonical_scalar(raw: str) -> str | None:
    """The unpadded base64url form of a raw 32-byte private scalar; None when `raw` is not
    one (another encoding, or a value outside the group's range): the full parser decides
    those, and words their error."""
    text = raw.strip()
    if not _SCALAR.fullmatch(text):
        return None
    data = b64url_decode(text.rstrip("="))
    if len(data) != 32 or b64url(data) != text.rstrip("="):
        return None  # trailing bits set: not the encoding of these 32 bytes
    return b64url(data) if 0 < int.from_bytes(data, "big") < ORDER else None
