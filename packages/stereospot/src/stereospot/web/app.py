"""The one factory: the application service in, an ASGI app out. The web knows the
service, not the composition root that built it. Nothing is built at import;
`stereospot serve` and the tests both call this."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from stereospot import __version__
from stereospot.login_limit import LoginLimiter
from stereospot.service import JobService
from stereospot.settings import Settings
from stereospot.web import api, media, pages
from stereospot.web.auth import LOCAL_USER, Authenticator, configured_users, local_token_file
from stereospot.web.body_limits import BodyLimitMiddleware, route_limits
from stereospot.web.deps import Web
from stereospot.web.errors import install_error_handlers
from stereospot.web.filters import install_filters
from stereospot.web.http_surface import HttpSurfaceMiddleware

HERE = Path(__file__).parent


def object_origins(settings: Settings) -> str:
    """Where presigned uploads and media live on the aws backend, for the page's CSP."""
    if settings.backend != "aws":
        return ""
    if settings.aws_endpoint_url:
        parts = urlsplit(settings.aws_endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def create_app(
    service: JobService,
    *,
    users: Mapping[str, str] | None = None,
    clock: Callable[[], float] | None = None,
) -> FastAPI:
    """`users` (name -> token) overrides STEREOSPOT_USERS; `clock` the service's clock."""
    settings = service.settings
    auth = Authenticator(
        users if users is not None else configured_users(settings),
        service.signing_key,
        settings.session_seconds,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    install_filters(templates.env)
    templates.env.globals["version"] = __version__
    templates.env.globals["local_user"] = LOCAL_USER

    web = FastAPI(
        title="StereoSpot", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    clock = clock or service.clock
    logins = LoginLimiter(settings.login_max_failures, settings.login_window_seconds, clock)
    web.state.web = Web(
        service=service, auth=auth, templates=templates, clock=clock, logins=logins,
        trusted_proxies=settings.trusted_proxies,
        token_file=local_token_file(settings) if users is None else None,
    )  # fmt: skip
    install_error_handlers(web)

    @web.get("/healthz", operation_id="health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    web.include_router(pages.router)
    web.include_router(api.router)
    web.include_router(media.router)
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.add_middleware(
        BodyLimitMiddleware, routes=api.router.routes, limits=route_limits(service.part_size)
    )
    web.add_middleware(HttpSurfaceMiddleware, object_origins=object_origins(settings))
    return web
