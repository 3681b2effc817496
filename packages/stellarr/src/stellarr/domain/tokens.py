"""Session tokens: `{ts}.{b64url(name)}.{b64url(hmac)}`, plus a signed role part for admins.

A user token has three parts (the format clients of the existing system already hold). An
admin token has four: `{ts}.{b64url(name)}.{b64url(role)}.{b64url(hmac over the first three)}`,
so stripping or editing the role breaks the signature. Admin tokens are signed with a key
derived from the admin password too, so changing or removing ADMIN_PASSWORD revokes them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

Role = Literal["user", "admin"]
TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
CLOCK_SKEW_SECONDS = 60
MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    role: Role
    issued_at: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, message: str) -> str:
    return b64url(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest())


def _admin_key(key: str, admin_password: str) -> str:
    return _sign(key, "admin-password:" + admin_password)


def issue_token(
    key: str, name: str, role: Role, now: int, admin_password: str | None = None
) -> str:
    head = f"{now}.{b64url(name.encode())}"
    if role == "admin":
        if admin_password is None:
            raise ValueError("an admin token needs the admin password it is bound to")
        head = f"{head}.{b64url(b'admin')}"
        key = _admin_key(key, admin_password)
    return f"{head}.{_sign(key, head)}"


def verify_token(
    key: str, token: str, now: int, admin_password: str | None = None
) -> Session | None:
    """The session a token carries, or None when it is malformed, tampered, expired, or an
    admin token whose admin password is no longer the current one."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) not in (3, 4):
        return None
    head, signature = ".".join(parts[:-1]), parts[-1]
    if len(parts) == 4:
        if admin_password is None:
            return None
        key = _admin_key(key, admin_password)
    if not hmac.compare_digest(_sign(key, head).encode(), signature.encode()):
        return None
    ts_text, name_part = parts[0], parts[1]
    if not ts_text.isdigit():
        return None
    issued = int(ts_text)
    if issued > now + CLOCK_SKEW_SECONDS or now - issued > TOKEN_LIFETIME_SECONDS:
        return None
    try:
        name = b64url_decode(name_part).decode("utf-8")
        role_text = b64url_decode(parts[2]).decode("ascii") if len(parts) == 4 else "user"
    except (binascii.Error, ValueError):
        return None
    if role_text not in ("user", "admin") or not name:
        return None
    role: Role = "admin" if role_text == "admin" else "user"
    return Session(name=name, role=role, issued_at=issued)
