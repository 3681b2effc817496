"""Login: rate limit, freshness, origin, password hash, replay; then a signed session token."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from stellarr.domain import challenge
from stellarr.domain.client_ip import rate_limit_key
from stellarr.domain.errors import RateLimited, Unauthorized
from stellarr.domain.names import check_name
from stellarr.domain.tokens import Role, issue_token
from stellarr.services.login_keys import DerivedKeys
from stellarr.settings import Settings, origin_of
from stellarr.store.ports import ExpiringKeys


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str
    name: str
    role: Role


# How long an origin stays proven after its last successful login.
PROVEN_ORIGIN_SECONDS = 90 * 86400


def _origin_key(origin: str) -> str:
    # Hashed: the key must be short and printable whatever Host header a browser sent.
    return "LOGINORIGIN#" + hashlib.sha256(origin.encode()).hexdigest()


def _wait_message(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"Too many failed logins; try again in {minutes} minute{'s' * (minutes != 1)}"


class LoginService:
    def __init__(self, keys: ExpiringKeys, clock: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._clock = clock
        self._derived = DerivedKeys()

    async def login(
        self,
        settings: Settings,
        *,
        origin: str,
        timestamp: int,
        presented_hash: str,
        name: str,
        client_ip: str,
        request_origin: str,
    ) -> LoginResult:
        now = self._clock()
        client = rate_limit_key(client_ip)
        limit_key = f"RATELIMIT#login:{client}"
        limit = settings.rate_limit_max_attempts
        window_end = now + settings.rate_limit_window_seconds
        current = await self._keys.get(limit_key, now)
        if current is not None and current.count >= limit:
            wait = current.expires_at - now
            raise RateLimited(_wait_message(wait), math.ceil(wait))
        name = check_name(name)
        presented_hash = presented_hash.strip().lower()
        # Count the attempt as failed *before* checking it, atomically: parallel guesses
        # then each take a slot, and only `limit` of them ever reach the hashing below.
        if await self._keys.add(limit_key, 1, window_end, now) > limit:
            wait = (current.expires_at if current else window_end) - now
            raise RateLimited(_wait_message(wait), math.ceil(wait))

        if not challenge.timestamp_fresh(timestamp, now):
            raise Unauthorized("Login timestamp is too far from the server's clock")
        # The origin is the PBKDF2 salt the browser used: compared as sent (trimmed and
        # lower-cased), so it must be exactly one of the allowed origins, with no path.
        origin = origin.strip().rstrip("/").lower()
        try:
            allowed = settings.login_origins() or (origin_of(request_origin),)
        except ValueError:  # a Host header that makes no URL
            raise Unauthorized("Origin not allowed") from None
        if origin not in allowed:
            raise Unauthorized("Origin not allowed")
        proven = (
            bool(settings.login_origins())
            or self._derived.cached(settings.preshared_password, origin) is not None
            or await self._proven(origin, now)
        )
        role = await self._role(settings, origin, timestamp, presented_hash, client, proven)
        if role is None:
            raise Unauthorized("Invalid password")
        expires = timestamp + challenge.MAX_CLOCK_DRIFT_SECONDS + 1
        claim = f"CHALLENGE#{timestamp}:{presented_hash}"
        if not await self._keys.put(claim, "", expires, now, replace=False):
            raise Unauthorized("This login was already used; log in again")
        # Give back the slot this attempt reserved; earlier failures stay counted for their
        # window, so a right password does not buy more guesses at the admin one.
        await self._keys.add(limit_key, -1, window_end, now)
        password = settings.admin_password if role == "admin" else settings.preshared_password
        assert password is not None
        self._derived.pin(password, origin)
        await self._keys.put(_origin_key(origin), origin, now + PROVEN_ORIGIN_SECONDS, now)
        token = issue_token(settings.app_secret_key, name, role, int(now), settings.admin_password)
        return LoginResult(token=token, name=name, role=role)

    async def _proven(self, origin: str, now: float) -> bool:
        """Whether someone logged in through this origin lately (and so it is not a
        stranger's made-up Host header). Asked only when its key is not cached."""
        return await self._keys.get(_origin_key(origin), now) is not None

    async def _role(
        self,
        settings: Settings,
        origin: str,
        timestamp: int,
        presented: str,
        client: str,
        proven: bool,
    ) -> Role | None:
        user_key = await self._derived.get(
            settings.preshared_password, origin, client, proven=proven
        )
        if challenge.hash_matches(user_key, timestamp, presented):
            return "user"
        if settings.admin_password is not None:
            admin_key = await self._derived.get(
                settings.admin_password, origin, client, proven=proven
            )
            if challenge.hash_matches(admin_key, timestamp, presented):
                return "admin"
        return None
