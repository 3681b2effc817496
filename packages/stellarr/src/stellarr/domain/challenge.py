"""The login challenge: the password never crosses the wire.

derived = hex(PBKDF2-HMAC-SHA256(password, salt=origin, iterations, 32 bytes))
hash    = hex(SHA-256(derived + ":" + str(timestamp)))
"""

from __future__ import annotations

import hashlib
import hmac

ITERATIONS = 100_000
MAX_CLOCK_DRIFT_SECONDS = 300


def derive_key(password: str, origin: str, iterations: int = ITERATIONS) -> str:
    return hashlib.pbkdf2_hmac(
        "sha256", password.encode(), origin.encode(), iterations, dklen=32
    ).hex()


def challenge_hash(derived: str, timestamp: int) -> str:
    return hashlib.sha256(f"{derived}:{timestamp}".encode()).hexdigest()


def hash_matches(derived: str, timestamp: int, presented: str) -> bool:
    # Bytes, not str: compare_digest rejects non-ASCII str with TypeError.
    expected = challenge_hash(derived, timestamp).encode()
    return hmac.compare_digest(expected, presented.strip().lower().encode("utf-8"))


def timestamp_fresh(timestamp: int, now: float) -> bool:
    # Integer arithmetic: a client may send any number, and float(10**400) overflows.
    return abs(timestamp - int(now)) <= MAX_CLOCK_DRIFT_SECONDS
