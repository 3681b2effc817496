"""Sends one encrypted Web Push message (RFC 8030/8291, aes128gcm) with VAPID (RFC 8292).

http_ece encrypts (RFC 8188's aes128gcm with RFC 8291's key derivation: a fresh P-256 key
and salt per message, the sender's public key as the header's key id, one 4096-byte record),
py_vapid signs; the HTTP request is ours, on one pooled httpx client
that never follows a redirect: a push service pointing elsewhere must not make Stellarr
POST to that place. The URL sent to is an `Endpoint`, which only the allow-list check
makes. Logs name the push service's origin and a short fingerprint of the endpoint,
never the endpoint's path (it is the subscription's capability) or any key.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import httpx

from stellarr.domain.push_endpoint import Endpoint
from stellarr.tls import trust_store

if TYPE_CHECKING:
    # Not at import: the app loads cryptography only where a VAPID key is set up (settings
    # check it at start-up) or a message goes out.
    from cryptography.hazmat.primitives.asymmetric import ec

    from stellarr.clients.vapid import SubscriptionKeys, VapidKey

log = logging.getLogger(__name__)

# A notification about a title landing in the library is still news a few days later.
DEFAULT_TTL_SECONDS = 4 * 24 * 3600
Urgency = Literal["very-low", "low", "normal", "high"]


class PushOutcome(enum.Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # 404/410: the subscription no longer exists; forget it
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PushMessage:
    endpoint: Endpoint
    keys: SubscriptionKeys
    payload: bytes
    ttl: int = DEFAULT_TTL_SECONDS
    urgency: Urgency = "normal"


def fingerprint(endpoint: str) -> str:
    """Enough to tell subscriptions apart in a log, nothing to use one with."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:10]


# RFC 8188 record size, as pywebpush sent: push services take at most 4096 bytes of body,
# so every message is one record.
RECORD_SIZE = 4096


def encrypt(
    keys: SubscriptionKeys,
    payload: bytes,
    *,
    sender: ec.EllipticCurvePrivateKey | None = None,
    salt: bytes | None = None,
) -> bytes:
    """The request body: salt (16) || record size (4) || key id length (1) || the sender's
    public key (65) || one record (payload, the 0x02 last-record delimiter, 16-byte tag).
    `sender` and `salt` are fresh for every message; tests pass RFC 8291's example's."""
    import http_ece  # type: ignore[import-untyped]
    from cryptography.hazmat.primitives.asymmetric import ec

    from stellarr.clients.vapid import b64url_decode

    if not payload:
        raise ValueError("a push message needs a payload")
    # Ephemeral, one per message (RFC 8291 section 3.1); http_ece draws the salt when None.
    body: bytes = http_ece.encrypt(
        payload,
        salt=salt,
        private_key=sender or ec.generate_private_key(ec.SECP256R1()),
        dh=b64url_decode(keys.p256dh),
        auth_secret=b64url_decode(keys.auth),
        rs=RECORD_SIZE,
        version="aes128gcm",
    )
    return body


class WebPushClient:
    def __init__(self, *, verify: ssl.SSLContext | None = None, timeout: float = 10.0) -> None:
        """`verify` replaces the shared trust store (tests trust their own CA with it;
        verification is never turned off). The pool is opened on first send."""
        self._verify = verify
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self._closed = False

    def _client(self) -> httpx.AsyncClient:
        if self._closed:
            raise RuntimeError("WebPushClient is closed")
        if self._http is None:
            # httpx logs every URL at INFO, and an endpoint's path is its capability. `serve`
            # configures this already; elsewhere (Lambda, tests) it is done here.
            httpx_log = logging.getLogger("httpx")
            if httpx_log.level == logging.NOTSET:
                httpx_log.setLevel(logging.WARNING)
            self._http = httpx.AsyncClient(
                verify=self._verify or trust_store(),
                follow_redirects=False,
                timeout=httpx.Timeout(self._timeout, connect=5.0),
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                headers={"User-Agent": "Stellarr"},
            )
        return self._http

    async def send(
        self, message: PushMessage, vapid: VapidKey, subject: str, now: float | None = None
    ) -> PushOutcome:
        endpoint = message.endpoint
        where = f"{endpoint.origin} ({fingerprint(endpoint.url)})"
        try:
            body = encrypt(message.keys, message.payload)
            authorization = vapid.authorization(
                endpoint.origin, subject, int(time.time() if now is None else now)
            )
        except Exception as exc:  # a library error must not reach the caller
            log.warning("PUSH: could not prepare a message for %s: %s", where, type(exc).__name__)
            return PushOutcome.FAILED
        # The allow-list judged the URL with urllib; send only if httpx reads the same
        # scheme, host and port from it, so no parser difference can move the request.
        target = httpx.URL(endpoint.url)
        expected = ("https", endpoint.host, endpoint.port)
        if (target.scheme, target.host, target.port or 443) != expected:
            log.warning("PUSH: %s reads differently to the HTTP client; not sent", where)
            return PushOutcome.FAILED
        headers = {
            "Authorization": authorization,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(message.ttl),
            "Urgency": message.urgency,
        }
        try:
            response = await self._client().post(endpoint.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("PUSH: %s unreachable: %s", where, type(exc).__name__)
            return PushOutcome.FAILED
        status = response.status_code
        if 200 <= status < 300:
            log.info("PUSH: delivered to %s", where)
            return PushOutcome.DELIVERED
        if status in (404, 410):
            log.info("PUSH: %s says the subscription is gone (%d)", where, status)
            return PushOutcome.GONE
        if 300 <= status < 400:
            log.warning("PUSH: %s answered a redirect (%d); not followed", where, status)
        else:
            log.warning("PUSH: %s refused the message (%d)", where, status)
        return PushOutcome.FAILED

    async def aclose(self) -> None:
        self._closed = True
        if self._http is not None:
            await self._http.aclose()
