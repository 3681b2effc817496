"""What every HTTP response shares whichever route made it: security headers, and HEAD
answered exactly like GET without the body.

Pure ASGI on purpose: the feeds serve thousands of requests a second, and Starlette's
BaseHTTPMiddleware would add a task and a stream per request. Here the headers are byte
tuples built once at import, and a request costs one wrapped `send`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]

# The UI has no inline script or style, no eval, and talks only to its own origin; posters
# are the one outside resource. frame-ancestors and X-Frame-Options (for old browsers) stop
# clickjacking of the Remove and Request buttons.
UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' https://image.tmdb.org; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI's stylesheet draws its icons from data: URIs; everything else is the vendored
# bundle and a local init script, so it needs no CDN and no inline script either.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# JSON is never a document: should a browser render one anyway, it may load nothing.
API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

COMMON: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # no-referrer rather than strict-origin-when-cross-origin: nothing here needs a Referer,
    # and the pages show feed URLs carrying ?token=. The one cross-origin load (TMDB posters)
    # then does not even learn which Stellarr host asked.
    (b"referrer-policy", b"no-referrer"),
)


def _with_policy(policy: str) -> tuple[Header, ...]:
    return ((b"content-security-policy", policy.encode()), *COMMON)


UI_HEADERS = _with_policy(UI_POLICY)
DOCS_HEADERS = _with_policy(DOCS_POLICY)
API_HEADERS = _with_policy(API_POLICY)


def headers_for(path: str) -> tuple[Header, ...]:
    if not path.startswith("/api/"):
        return UI_HEADERS
    if path == "/api/docs" or path.startswith("/api/docs/"):
        return DOCS_HEADERS
    return API_HEADERS


class HttpSurfaceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])
        head = scope["method"] == "HEAD"
        if head:
            # A copy, not an edit: the server keeps the original scope, which must still say
            # HEAD so that it sends no body and logs the real method. Routes then answer HEAD
            # with GET's status, Content-Length and ETag, with no per-route code.
            scope = {**scope, "method": "GET"}

        async def surface_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A new list: a response object may be sent more than once.
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            elif head and message["type"] == "http.response.body" and message.get("body"):
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, surface_send)
