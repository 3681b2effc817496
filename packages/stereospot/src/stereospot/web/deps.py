"""FastAPI dependencies as Annotated aliases; routes never import adapters.

`Web` is everything the routes use: the application service (blocking, so it is called
through `Web.call` on the thread pool), the authenticator, the login limit and the
templates.

Bodies are read only after the caller is known: FastAPI reads a body parameter *before*
any dependency runs, so no route takes one; the API's JSON comes through `json_body`,
which depends on the session. (The login form is the one body read from strangers: it is
the login, and the login limit has counted the try first.) Sizes are capped by
web.body_limits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from stereospot.client_ip import Network, client_key
from stereospot.login_limit import LoginLimiter
from stereospot.service import JobService
from stereospot.web.auth import COOKIE, Authenticator, Session
from stereospot.web.errors import Forbidden, LoginRequired

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Web:
    service: JobService
    auth: Authenticator
    templates: Jinja2Templates
    clock: Callable[[], float]
    logins: LoginLimiter = field(default_factory=LoginLimiter)
    # Whose X-Forwarded-For names the client (STEREOSPOT_TRUSTED_PROXIES).
    trusted_proxies: tuple[Network, ...] = ()
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


def json_body(model: type[M]) -> Any:
    """A JSON body as `model`, read only once the session and its CSRF token have passed
    (422 with the reasons when it does not fit; never the input, which could be a token)."""

    async def read(request: Request, session: ApiSessionDep) -> M:
        raw = await request.body()
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            raise RequestValidationError(errors) from None

    return Depends(read)


def login_client(request: Request, web: WebDep) -> str:
    """Who is logging in; the try takes a slot of their login limit before the form is
    read (pages.login gives it back when the token is right). 429 with Retry-After once
    their failures fill the window."""
    peer = request.client.host if request.client else None
    client = client_key(peer, request.headers.get("x-forwarded-for"), web.trusted_proxies)
    wait = web.logins.attempt(client)
    if wait is not None:
        minutes = -(-wait // 60)
        raise HTTPException(
            429,
            f"Too many failed logins; try again in {minutes} minute{'s' * (minutes != 1)}.",
            headers={"Retry-After": str(wait)},
        )
    return client


LoginClientDep = Annotated[str, Depends(login_client)]


async def read_form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the only kind the pages post; body_limits caps its size)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = await request.body()
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
