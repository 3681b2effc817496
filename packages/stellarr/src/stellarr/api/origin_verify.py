"""Nothing reaches the app around its CDN: with ORIGIN_VERIFY_SECRET set, every request must
carry the `X-Origin-Verify` header the CDN adds (CloudFront on AWS: infra/frontend.tf), and
anything else is answered 403 before it is routed or its body read.

On AWS the Function URL is public, because Plex, Radarr and Sonarr cannot sign requests; this
check is what stops a caller who found the URL from going around CloudFront, its WAF and its
cache. Every path is checked, /api/health included: monitors and CloudFront itself reach the
app through the distribution, which adds the header, so an exemption would only give a
stranger a way to make the function run (and write the health probe) off the CDN.

The value is compared in constant time against the current and the previous secret
(ORIGIN_VERIFY_SECRET_PREVIOUS, while a rotation reaches every edge server); a request with
the header twice is refused. It is never logged or echoed, and it is taken out of the
request before the app sees it. The settings come from the settings provider on every
request, so a rotated secret applies within the provider's refresh (5 minutes on AWS).
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from stellarr.domain.errors import Unavailable
from stellarr.services.container import Services

log = logging.getLogger(__name__)

HEADER = "X-Origin-Verify"
_HEADER = HEADER.lower().encode("latin-1")
REFUSAL = (
    f"This origin answers only requests relayed by the site's CDN ({HEADER} is missing or "
    "wrong): use the site's own address"
)


class OriginVerifyMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            settings = await self.services.current_settings()
        except Unavailable as exc:
            await _answer(send, 503, str(exc))
            return
        accepted = settings.origin_verify_values
        if not accepted:
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        presented = [value for name, value in headers if name == _HEADER]
        problem = _problem(presented, accepted)
        if problem is not None:
            # The path and what was wrong, never a value.
            log.debug("origin check refused %s %s: %s", scope["method"], scope["path"], problem)
            await _answer(send, 403, REFUSAL)
            return
        scope = {**scope, "headers": [(n, v) for n, v in headers if n != _HEADER]}
        await self.app(scope, receive, send)


def _problem(presented: list[bytes], accepted: tuple[str, ...]) -> str | None:
    if not presented:
        return f"no {HEADER} header"
    if len(presented) > 1:
        return f"{HEADER} sent {len(presented)} times"
    # Every accepted value is compared, so the time taken says nothing about which matched.
    matched = False
    for value in accepted:
        matched |= hmac.compare_digest(presented[0], value.encode("latin-1"))
    return None if matched else f"wrong {HEADER} value"


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
