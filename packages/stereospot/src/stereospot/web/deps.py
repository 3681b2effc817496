"""FastAPI dependencies as Annotated aliases; routes never import adapters.

`Web` is everything the routes use: the application service (blocking, so it is called
through `Web.call` on the thread pool), the authenticator and the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlsplit

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from stereospot.jobs.service import JobService
from stereospot.web.auth import COOKIE, Authenticator, Session
from stereospot.web.errors import Forbidden, LoginRequired

P = ParamSpec("P")
T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_LIMIT = 16 * 1024


@dataclass
class Web:
    service: JobService
    auth: Authenticator
    templates: Jinja2Templates
    clock: Callable[[], float]
    # The generated login's token file, named on the login page (a path, never the token).
    token_file: Path | None = None
    # Open progress streams by user (web.events); touched on the event loop only.
    streams: dict[str, int] = field(default_factory=dict)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A blocking service method, run on the thread pool."""
        return await run_in_threadpool(partial(fn, *args, **kwargs))


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(get_web)]


def same_origin(request: Request) -> bool:
    """A write must come from a page of this site. Browsers send Origin with every POST,
    PUT and DELETE; a client that sends neither Origin nor Referer is not a browser, so it
    carries no ambient cookie it did not choose to send."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True
    return bool(source != "null" and urlsplit(source).netloc == request.headers.get("host"))


def check_origin(request: Request) -> None:
    if request.method not in SAFE_METHODS and not same_origin(request):
        raise Forbidden()


OriginChecked = Depends(check_origin)


def current_session(request: Request, web: WebDep) -> Session:
    session = web.auth.verify(request.cookies.get(COOKIE), web.clock())
    if session is None:
        raise LoginRequired()
    check_origin(request)
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def api_session(request: Request, session: SessionDep, web: WebDep) -> Session:
    """Scripts send the session's CSRF token as X-CSRF-Token with every write."""
    if request.method not in SAFE_METHODS and not web.auth.csrf_ok(
        session, request.headers.get("x-csrf-token")
    ):
        raise Forbidden("missing or stale X-CSRF-Token; reload the page")
    return session


ApiSessionDep = Annotated[Session, Depends(api_session)]


async def read_form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the only kind the pages post)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise Forbidden("the form is too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


FormDep = Annotated[dict[str, str], Depends(read_form)]


def form_session(session: SessionDep, form: FormDep, web: WebDep) -> Session:
    """Page forms carry the session's CSRF token as the hidden field `csrf`."""
    if not web.auth.csrf_ok(session, form.get("csrf")):
        raise Forbidden("the form is out of date; reload the page and try again")
    return session


FormSessionDep = Annotated[Session, Depends(form_session)]


def page_context(request: Request, session: Session | None, **values: Any) -> dict[str, Any]:
    return {"user": session.user if session else None,
            "csrf": session.csrf if session else "", **values}  # fmt: skip
