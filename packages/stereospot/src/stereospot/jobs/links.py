"""Signed, expiring media links for the local backend (S3 presigns its own)."""

from __future__ import annotations

import hashlib
import hmac


def signature(key: bytes, job_id: str, what: str, expires: int) -> str:
    message = f"{job_id}:{what}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def valid(key: bytes, job_id: str, what: str, expires: int, sig: str, now: float) -> bool:
    if expires < now:
        return False
    return hmac.compare_digest(signature(key, job_id, what, expires), sig)
