"""What a browser does to log in, in Python: the same PBKDF2 + SHA-256 the web UI runs."""

from __future__ import annotations

import time

from stellarr.domain.challenge import challenge_hash, derive_key

ORIGIN = "http://stellarr.test"


def login_body(
    password: str, name: str = "alice", origin: str = ORIGIN, timestamp: int | None = None
) -> dict[str, object]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "origin": origin,
        "timestamp": ts,
        "hash": challenge_hash(derive_key(password, origin), ts),
        "name": name,
    }
