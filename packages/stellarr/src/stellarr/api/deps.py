"""FastAPI dependencies as Annotated aliases; routes never import adapters."""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import Depends, Request

from stellarr.domain.client_ip import client_ip
from stellarr.domain.errors import Forbidden, Unauthorized
from stellarr.domain.tokens import Session, verify_token
from stellarr.services.container import Services
from stellarr.settings import Settings


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    await services.ready()
    return services


async def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    return await services.current_settings()


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def current_session(request: Request, settings: SettingsDep) -> Session:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Missing bearer token")
    session = verify_token(
        settings.app_secret_key, token.strip(), int(time.time()), settings.admin_password
    )
    if session is None:
        raise Unauthorized("Invalid or expired token")
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def request_client_ip(request: Request, settings: SettingsDep) -> str:
    peer = request.client.host if request.client else None
    # Every X-Forwarded-For line counts: a proxy may add its own line instead of appending.
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    return client_ip(peer, forwarded, settings.trusted_proxies)


ClientIPDep = Annotated[str, Depends(request_client_ip)]


def site_url(request: Request, settings: Settings) -> str:
    """The URL people reach Stellarr on: PUBLIC_URL, else what this request arrived on."""
    if settings.public_url:
        return settings.public_url
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def check_query_token(request: Request, expected: str, missing: str, wrong: str) -> None:
    """`?token=` against a secret, in constant time; the messages never echo either."""
    presented = request.query_params.get("token")
    if not presented:
        raise Unauthorized(missing)
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized(wrong)


def check_webhook_token(request: Request, settings: Settings) -> None:
    """PLEX_WEBHOOK_TOKEN guards every media-server route (webhooks and library sync); it
    is checked before the body is read."""
    expected = settings.plex_webhook_token
    if not expected:
        raise Forbidden("webhook not configured")
    check_query_token(
        request, expected, "This URL needs ?token=<PLEX_WEBHOOK_TOKEN>", "Wrong webhook token"
    )


def query_parameter(
    name: str, description: str, values: tuple[str, ...] = (), *, required: bool = True
) -> dict[str, object]:
    """An OpenAPI entry for a query parameter a route reads by hand (to check its token
    before anything else), so /api/docs still lists it."""
    schema: dict[str, object] = {"type": "string"}
    if values:
        schema["enum"] = list(values)
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


TOKEN_PARAMETER = query_parameter("token", "PLEX_WEBHOOK_TOKEN")
