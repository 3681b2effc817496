"""create_app: settings and adapters in, an ASGI app out. Nothing is built at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from stellarr import __version__
from stellarr.api import (
    auth,
    feeds,
    health,
    media_requests,
    push,
    search,
    sync,
    titles,
    trending,
    webhooks,
)
from stellarr.api.body_limit import ROUTE_LIMITS, BodyLimitMiddleware
from stellarr.api.errors import install_error_handlers
from stellarr.api.origin_verify import OriginVerifyMiddleware
from stellarr.api.unread_body import UnreadBodyMiddleware
from stellarr.api.web import install_web
from stellarr.api.webhook_intake import WebhookIntakeMiddleware
from stellarr.logs import install_scrubbing
from stellarr.services.container import Services


def create_app(
    services: Services, static_dir: Path | None = None, *, schedule_trending: bool = False
) -> FastAPI:
    """`schedule_trending`: warm the trending files in the background while the app runs
    (`stellarr serve` without an S3 bucket; Lambda runs no lifespan and has EventBridge)."""
    install_scrubbing()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.ready()
        if schedule_trending:
            services.schedule_trending()
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(
        title="Stellarr",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    routers = (health, auth, search, titles, media_requests, feeds, trending, webhooks, sync, push)
    for module in routers:
        app.include_router(module.router)
    # Added innermost first: the body limit, the drain of refused bodies and then the web
    # layer's headers wrap the webhook intake, so a 413 and an ignored event's answer still
    # carry the security headers, and a 413 is drained like any refusal. The origin check
    # (ORIGIN_VERIFY_SECRET) comes before anything reads a body, and its 403 is drained too.
    app.add_middleware(WebhookIntakeMiddleware, services=services)
    app.add_middleware(BodyLimitMiddleware, routes=ROUTE_LIMITS)
    app.add_middleware(OriginVerifyMiddleware, services=services)
    app.add_middleware(UnreadBodyMiddleware)
    install_web(app, static_dir)
    return app
