"""Login: rate limit, freshness, origin, password hash, replay; then a signed session token."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from stellarr.domain import challenge
from stellarr.domain.errors import BadRequest, RateLimited, Unauthorized
from stellarr.domain.tokens import Role, issue_token
from stellarr.settings import Settings, normalize_origin
from stellarr.store.base import Store

MAX_NAME_LENGTH = 50
DERIVED_CACHE_SIZE = 32


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

    async def _derived_key(self, password: str, origin: str) -> str:
        key = (password, origin)
        value = self._derived.get(key)
        if value is None:
            value = await asyncio.to_thread(challenge.derive_key, password, origin)
            self._derived[key] = value
            while len(self._derived) > DERIVED_CACHE_SIZE:
                self._derived.popitem(last=False)
        else:
            self._derived.move_to_end(key)
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
        limit_key = f"login:{client_ip}"
        if await self._store.failure_count(limit_key, now) >= settings.rate_limit_max_attempts:
            raise RateLimited("Too many failed logins; try again later")
        name = name.strip()
        presented_hash = presented_hash.strip().lower()
        if not 1 <= len(name) <= MAX_NAME_LENGTH:
            raise BadRequest(f"name must be 1 to {MAX_NAME_LENGTH} characters")

        async def fail(reason: str) -> Unauthorized:
            await self._store.record_failure(limit_key, now, settings.rate_limit_window_seconds)
            return Unauthorized(reason)

        if not challenge.timestamp_fresh(timestamp, now):
            raise await fail("Login timestamp is too far from the server's clock")
        origin = normalize_origin(origin)
        allowed = settings.login_origins() or (normalize_origin(request_origin),)
        if origin not in allowed:
            raise await fail("Origin not allowed")
        role: Role | None = None
        user_key = await self._derived_key(settings.preshared_password, origin)
        if challenge.hash_matches(user_key, timestamp, presented_hash):
            role = "user"
        elif settings.admin_password is not None:
            admin_key = await self._derived_key(settings.admin_password, origin)
            if challenge.hash_matches(admin_key, timestamp, presented_hash):
                role = "admin"
        if role is None:
            raise await fail("Invalid password")
        expires = timestamp + challenge.MAX_CLOCK_DRIFT_SECONDS + 1
        if not await self._store.claim_challenge(f"{timestamp}:{presented_hash}", expires, now):
            raise await fail("This login was already used; log in again")
        await self._store.clear_failures(limit_key)
        token = issue_token(settings.app_secret_key, name, role, int(now))
        return LoginResult(token=token, name=name, role=role)
