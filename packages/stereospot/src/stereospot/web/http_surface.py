"""What every HTTP response shares whichever route made it: security headers and no
caching of private pages. Pure ASGI (one wrapped `send` per request), as in Stellarr.

Pages have no inline script or style and talk only to their own origin, plus, on the aws
backend, the object store that serves presigned uploads and media.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]

COMMON: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Media links carry their signature in the query string: never pass them to another
    # site. Not no-referrer: then Chromium sends `Origin: null` with this site's own form
    # posts, and the Origin check (deps.same_origin) could not tell them from a forgery.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# JSON is never a document: should a browser render one anyway, it may load nothing.
API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# A media file opened on its own becomes the browser's media document: let it play.
MEDIA_POLICY = "default-src 'none'; media-src 'self'; img-src 'self'; frame-ancestors 'none'"


def page_policy(object_origins: str = "") -> str:
    extra = f" {object_origins}" if object_origins else ""
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'{extra}; "
        f"media-src 'self'{extra}; connect-src 'self'{extra}; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _headers(policy: str, no_store: bool = True) -> tuple[Header, ...]:
    cache = ((b"cache-control", b"no-store"),) if no_store else ()
    return ((b"content-security-policy", policy.encode()), *COMMON, *cache)


class HttpSurfaceMiddleware:
    def __init__(self, app: ASGIApp, object_origins: str = "") -> None:
        self.app = app
        self.page = _headers(page_policy(object_origins))
        self.api = _headers(API_POLICY)
        self.media = _headers(MEDIA_POLICY, no_store=False)
        self.static = _headers(API_POLICY, no_store=False)

    def headers_for(self, path: str) -> tuple[Header, ...]:
        if path.startswith("/api/"):
            return self.api
        if path.startswith("/media/"):
            return self.media
        if path.startswith("/static/"):
            return self.static
        return self.page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope["path"])

        async def surface_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                added = [h for h in extra if h[0] not in present]
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        await self.app(scope, receive, surface_send)
