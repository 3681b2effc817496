"""Login: rate limit, freshness, origin, password hash, replay; then a signed session token."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from stellarr.domain import challenge
from stellarr.domain.client_ip import rate_limit_key
from stellarr.domain.errors import BadRequest, RateLimited, Unauthorized
from stellarr.domain.tokens import Role, issue_token
from stellarr.settings import Settings, normalize_origin
from stellarr.store.base import Store

MAX_NAME_LENGTH = 50
DERIVED_CACHE_SIZE = 32
# Uncached PBKDF2 derivations allowed per minute across all clients. A real deployment
# derives once per configured origin; only a client cycling Host headers (when neither
# ALLOWED_ORIGINS nor PUBLIC_URL is set) needs more, and it must not get them.
NEW_DERIVATIONS_PER_MINUTE = 8


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str
    name: str
    role: Role


class LoginService:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        # PBKDF2 runs once per (password, origin); a login then costs one SHA-256, so a
        # flood of guesses cannot burn 100,000 rounds each.
        self._derived: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._recent_derivations: deque[float] = deque()
        self._derive_lock = asyncio.Lock()

    async def _derived_key(self, password: str, origin: str) -> str:
        key = (password, origin)
        value = self._derived.get(key)
        if value is not None:
            self._derived.move_to_end(key)
            return value
        async with self._derive_lock:  # one PBKDF2 at a time, however many arrive
            value = self._derived.get(key)
            if value is None:
                now = time.monotonic()
                while self._recent_derivations and now - self._recent_derivations[0] > 60:
                    self._recent_derivations.popleft()
                if len(self._recent_derivations) >= NEW_DERIVATIONS_PER_MINUTE:
                    raise RateLimited("Too many logins from new origins; try again in a minute")
                self._recent_derivations.append(now)
                value = await asyncio.to_thread(challenge.derive_key, password, origin)
                self._derived[key] = value
                while len(self._derived) > DERIVED_CACHE_SIZE:
                    self._derived.popitem(last=False)
        return value

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
        limit_key = f"login:{rate_limit_key(client_ip)}"
        limit = settings.rate_limit_max_attempts
        if await self._store.failure_count(limit_key, now) >= limit:
            raise RateLimited("Too many failed logins; try again later")
        name = name.strip()
        presented_hash = presented_hash.strip().lower()
        if not 1 <= len(name) <= MAX_NAME_LENGTH:
            raise BadRequest(f"name must be 1 to {MAX_NAME_LENGTH} characters")
        # Count the attempt as failed *before* checking it, atomically: parallel guesses
        # then each take a slot, and only `limit` of them ever reach the hashing below.
        window = settings.rate_limit_window_seconds
        if await self._store.record_failure(limit_key, now, window) > limit:
            raise RateLimited("Too many failed logins; try again later")

        if not challenge.timestamp_fresh(timestamp, now):
            raise Unauthorized("Login timestamp is too far from the server's clock")
        origin = normalize_origin(origin)
        allowed = settings.login_origins() or (normalize_origin(request_origin),)
        if origin not in allowed:
            raise Unauthorized("Origin not allowed")
        role: Role | None = None
        user_key = await self._derived_key(settings.preshared_password, origin)
        if challenge.hash_matches(user_key, timestamp, presented_hash):
            role = "user"
        elif settings.admin_password is not None:
            admin_key = await self._derived_key(settings.admin_password, origin)
            if challenge.hash_matches(admin_key, timestamp, presented_hash):
                role = "admin"
        if role is None:
            raise Unauthorized("Invalid password")
        expires = timestamp + challenge.MAX_CLOCK_DRIFT_SECONDS + 1
        if not await self._store.claim_challenge(f"{timestamp}:{presented_hash}", expires, now):
            raise Unauthorized("This login was already used; log in again")
        await self._store.clear_failures(limit_key)
        token = issue_token(settings.app_secret_key, name, role, int(now))
        return LoginResult(token=token, name=name, role=role)
