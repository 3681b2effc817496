"""Web Push subscriptions of signed-in people, and sending to them.

Each person may keep up to MAX_SUBSCRIPTIONS_PER_USER browsers; a new one beyond that
replaces their oldest (a browser that re-subscribes gets a new endpoint, and the old one
is usually dead). The allow-list is checked when subscribing and again before each send,
with the settings of that moment.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stellarr.domain.errors import NotFound, Unavailable
from stellarr.domain.models import utcnow
from stellarr.domain.push_endpoint import check_endpoint
from stellarr.settings import Settings, SettingsProvider, origin_of
from stellarr.store.ports import PushSubscription, PushSubscriptions

if TYPE_CHECKING:
    from stellarr.clients.vapid import VapidKey
    from stellarr.clients.webpush import WebPushClient

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_USER = 20
NOT_SET_UP = "Push notifications are not set up on this server: "


class InvalidSubscription(ValueError):
    """A subscription body that breaks a rule (answered with 422); says which."""


def push_subject(settings: Settings) -> str | None:
    """VAPID_SUBJECT, else the origin of an https PUBLIC_URL; None means push is off."""
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.public_url and settings.public_url.startswith("https://"):
        return origin_of(settings.public_url)
    return None


def push_setup_problem(settings: Settings) -> str | None:
    """What the admin still has to set for web push, or None when it is on."""
    if not settings.vapid_private_key:
        return "set VAPID_PRIVATE_KEY (`stellarr gen-vapid` makes one)"
    if push_subject(settings) is None:
        return (
            "set VAPID_SUBJECT=mailto:you@example.com (push services want a contact) or an "
            "https PUBLIC_URL"
        )
    return None


@dataclass(frozen=True, slots=True)
class PushStatus:
    configured: bool
    subscriptions: int
    subscribed: bool | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"configured": self.configured, "subscriptions": self.subscriptions}
        if self.subscribed is not None:
            body["subscribed"] = self.subscribed
        return body


class PushService:
    def __init__(
        self,
        subscriptions: PushSubscriptions,
        client: WebPushClient,
        settings: SettingsProvider,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._subscriptions = subscriptions
        self._client = client
        self._settings = settings
        self._clock = clock
        # Parsed once per key text: a rotated secret brings a new text.
        self._key: tuple[str, VapidKey] | None = None

    async def _vapid(self) -> tuple[VapidKey, str] | None:
        settings = await self._settings.get()
        subject = push_subject(settings)
        raw = settings.vapid_private_key
        if raw is None or subject is None:
            return None
        if self._key is None or self._key[0] != raw:
            from stellarr.clients.vapid import VapidKey

            self._key = (raw, VapidKey.parse(raw))
        return self._key[1], subject

    async def public_key(self) -> str:
        vapid = await self._vapid()
        if vapid is None:
            problem = push_setup_problem(await self._settings.get()) or "its key is unreadable"
            raise Unavailable(NOT_SET_UP + problem)
        return vapid[0].public_b64

    async def subscribe(self, user: str, endpoint: str, p256dh: str, auth: str) -> bool:
        """Store the browser's subscription; True when new. Raises InvalidSubscription,
        or Conflict when another person owns the endpoint."""
        from stellarr.clients.vapid import SubscriptionKeys

        settings = await self._settings.get()
        try:
            checked = check_endpoint(endpoint, settings.push_allowed_hosts)
            keys = SubscriptionKeys.parse(p256dh, auth)
        except ValueError as exc:  # EndpointRefused is one
            raise InvalidSubscription(str(exc)) from None
        subscription = PushSubscription(user, checked.url, keys.p256dh, keys.auth, self._clock())
        created = await self._subscriptions.save(subscription)
        if created:
            mine = await self._subscriptions.for_user(user)
            for old in mine[: max(0, len(mine) - MAX_SUBSCRIPTIONS_PER_USER)]:
                await self._subscriptions.remove(user, old.endpoint)
        return created

    async def unsubscribe(self, user: str, endpoint: str) -> None:
        # Someone else's endpoint is answered exactly like a missing one.
        if not await self._subscriptions.remove(user, endpoint):
            raise NotFound("No such push subscription")

    async def status(self, user: str, endpoint: str | None = None) -> PushStatus:
        mine = await self._subscriptions.for_user(user)
        subscribed = None if endpoint is None else any(s.endpoint == endpoint for s in mine)
        return PushStatus(await self._vapid() is not None, len(mine), subscribed)

    async def send(self, user: str, payload: Mapping[str, Any]) -> int:
        """Push `payload` (JSON) to every browser of `user`; how many took it. Never
        raises for a push service's failure; forgets subscriptions it says are gone."""
        vapid = await self._vapid()
        if vapid is None:
            return 0
        mine = await self._subscriptions.for_user(user)
        if not mine:
            return 0
        settings = await self._settings.get()
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        results = await asyncio.gather(
            *(self._send_one(s, data, vapid, settings) for s in mine), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                log.error("PUSH: sending failed", exc_info=result)
        return sum(1 for result in results if result is True)

    async def _send_one(
        self,
        subscription: PushSubscription,
        data: bytes,
        vapid: tuple[VapidKey, str],
        settings: Settings,
    ) -> bool:
        from stellarr.clients.vapid import SubscriptionKeys
        from stellarr.clients.webpush import PushMessage, PushOutcome, fingerprint

        try:
            endpoint = check_endpoint(subscription.endpoint, settings.push_allowed_hosts)
            keys = SubscriptionKeys.parse(subscription.p256dh, subscription.auth)
        except ValueError as exc:  # EndpointRefused or bad stored keys
            log.warning("PUSH: not sending to %s: %s", fingerprint(subscription.endpoint), exc)
            return False
        outcome = await self._client.send(PushMessage(endpoint, keys, data), *vapid)
        if outcome is PushOutcome.GONE:
            await self._subscriptions.discard(subscription.endpoint)
        return outcome is PushOutcome.DELIVERED
