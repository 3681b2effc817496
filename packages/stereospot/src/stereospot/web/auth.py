"""Who may log in, and the signed session cookie that remembers them.

Users come from STEREOSPOT_USERS (`name:token,...`). With none configured, the local
backend makes one user, `local`, whose token is generated once into the data folder (0600);
only the file's path is ever logged, never a token.

The session is a cookie holding `base64(json).hmac`: the user, an expiry, a random id and a
fingerprint of the user's current token. Changing or removing a token in the configuration
ends that user's sessions. The CSRF token of a session is an HMAC of its random id: forms
send it as a hidden field, scripts as the X-CSRF-Token header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stereospot.errors import SettingsError
from stereospot.secretfile import read_or_create
from stereospot.settings import Settings

COOKIE = "stereospot_session"
LOCAL_USER = "local"
TOKEN_FILE = "login.token"  # noqa: S105 - a file name
log = logging.getLogger("stereospot.web")


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    expires: int
    nonce: str
    csrf: str


def local_token_file(settings: Settings) -> Path | None:
    """Where the generated user's token lives, when that is how one logs in (the local
    backend with no STEREOSPOT_USERS); absolute, so that it can be found from any folder."""
    if settings.users or settings.backend != "local":
        return None
    return Path(settings.data_dir).absolute() / TOKEN_FILE


def configured_users(settings: Settings) -> dict[str, str]:
    """name -> token. Local backend with none configured: one generated user."""
    if settings.users:
        return dict(settings.users)
    path = local_token_file(settings)
    if path is None:
        raise SettingsError("the web UI needs STEREOSPOT_USERS (name:token,...) on the aws backend")
    token = read_or_create(path, lambda: secrets.token_urlsafe(24))
    log.warning("no STEREOSPOT_USERS: log in as %r with the token in %s", LOCAL_USER, path)
    return {LOCAL_USER: token}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    def __init__(self, users: Mapping[str, str], key: bytes, session_seconds: int) -> None:
        if not users:
            raise SettingsError("the web UI needs at least one user (STEREOSPOT_USERS)")
        if not all(users.values()):
            raise SettingsError("every web UI user needs a token")
        self._users = dict(users)
        # Its own key, derived from the signing key: a session MAC is never a media link MAC.
        self._key = hmac.new(key, b"stereospot web session v1", hashlib.sha256).digest()
        self.session_seconds = session_seconds

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def _fingerprint(self, user: str) -> str:
        return self._mac("token:" + self._users.get(user, ""))[:16]

    def check(self, name: str, token: str) -> str | None:
        """The user's name when the token is theirs; the comparison takes the same time
        whichever part is wrong."""
        expected = self._users.get(name)
        ok = hmac.compare_digest(
            hashlib.sha256(token.encode()).digest(),
            hashlib.sha256((expected or secrets.token_hex(16)).encode()).digest(),
        )
        return name if ok and expected else None  # an empty token is no token

    def issue(self, user: str, now: float) -> str:
        body = {
            "u": user,
            "e": int(now) + self.session_seconds,
            "n": secrets.token_hex(12),
            "f": self._fingerprint(user),
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def verify(self, cookie: str | None, now: float) -> Session | None:
        if not cookie or cookie.count(".") != 1 or len(cookie) > 1024:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(self._mac(payload), mac):
            return None
        try:
            body = json.loads(_unb64(payload))
            user, expires, nonce, fingerprint = body["u"], int(body["e"]), body["n"], body["f"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(user, str) or user not in self._users or expires < now:
            return None
        if not hmac.compare_digest(str(fingerprint), self._fingerprint(user)):
            return None  # the token changed since this login
        return Session(user, expires, str(nonce), self._mac("csrf:" + str(nonce)))

    @staticmethod
    def csrf_ok(session: Session, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(session.csrf, sent or "")
