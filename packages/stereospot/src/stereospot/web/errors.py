"""Errors: `{"detail": ...}` with the right status for the API and media, a friendly page
for people. Another user's job is a 404 exactly like a missing one (the service says so)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from stereospot import errors
from stereospot.web.auth import COOKIE

log = logging.getLogger("stereospot.web")


class LoginRequired(Exception):
    """No valid session: 401 for the API, a redirect to the login page for pages."""


class Forbidden(Exception):
    """A cross-site or token-less write."""

    def __init__(self, detail: str = "the request did not come from this site") -> None:
        super().__init__(detail)


STATUS: tuple[tuple[type[Exception], int], ...] = (
    (errors.TooLarge, 413),  # before InvalidInput, of which it is a kind
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.LimitReached, 429),
    (errors.QuotaExceeded, 507),  # WebDAV's quota answer (RFC 4331)
    (errors.StorageFull, 507),  # before StoreError, of which it is a kind
    (errors.StoreError, 503),
)
# Said for a full disk instead of the driver's words (which name paths).
STORAGE_FULL = (
    "The server's storage is full, so nothing was stored. Try again later; deleting "
    "finished jobs makes room."
)
TITLES = {
    400: "That did not work",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Not possible right now",
    413: "Too large",
    422: "That did not work",
    429: "Too many tries",
    500: "Something went wrong",
    503: "Storage is unavailable",
    507: "Storage is full",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/media/")) or path == "/healthz"


def _describe(exc: RequestValidationError) -> str:
    # Location and reason only: echoing the input could repeat a token.
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{location}: {error.get('msg', 'invalid')}" if location else error["msg"])
    return "; ".join(parts) or "Invalid request"


def respond(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """headers: the error's own (Retry-After of a 429)."""
    extra = dict(headers or {})
    if wants_json(request):
        if status == 401:
            extra["WWW-Authenticate"] = 'Cookie realm="stereospot"'
        return JSONResponse({"detail": detail}, status_code=status, headers=extra)
    web = request.app.state.web
    # The page keeps the header of whoever is logged in (their name, Log out), as every
    # other page does; an unreadable or missing cookie just shows it logged out.
    try:
        session = web.auth.verify(request.cookies.get(COOKIE), web.clock())
    except (TypeError, ValueError):  # a cookie no browser of ours sent: logged out
        session = None
    # It may name the user and carry their CSRF token: never kept by a cache.
    extra.setdefault("Cache-Control", "no-store")
    return web.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "error.html",
        {
            "title": TITLES.get(status, "Error"),
            "detail": detail,
            "status": status,
            "user": session.user if session else None,
            "csrf": session.csrf if session else "",
        },
        status_code=status,
        headers=extra,
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
        detail = str(exc) or "Error"
        if isinstance(exc, errors.StorageFull):
            log.warning("%s %s: storage full: %s", request.method, request.url.path, exc)
            detail = STORAGE_FULL
        elif status >= 500 and not isinstance(exc, errors.QuotaExceeded):
            log.warning("%s %s failed: %s", request.method, request.url.path, exc)
            detail = "Storage is unavailable; try again shortly"  # driver text stays in the log
        return respond(request, status, detail)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return respond(request, 401, "log in first")
        target = request.url.path
        if request.method == "GET" and target.startswith("/") and not target.startswith("//"):
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return RedirectResponse("/login", status_code=303)

    async def on_forbidden(request: Request, exc: Exception) -> Response:
        return respond(request, 403, str(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing here."
        return respond(request, exc.status_code, detail, exc.headers)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return respond(request, 422, _describe(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.error("%s %s crashed", request.method, request.url.path, exc_info=exc)
        return respond(request, 500, "Internal server error")

    app.add_exception_handler(errors.StereoSpotError, on_domain_error)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(Forbidden, on_forbidden)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
