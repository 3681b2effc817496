"""The origin check as a middleware on its own: what the app behind it receives."""

from __future__ import annotations

from typing import Any

import httpx

from stellarr.api.origin_verify import HEADER, OriginVerifyMiddleware
from stellarr.settings import Settings

SECRET = "s" * 40


class FixedSettings:
    """What the middleware asks of the services: their current settings."""

    def __init__(self, **values: str) -> None:
        self.settings = Settings.from_mapping(
            {"APP_SECRET_KEY": "k" * 48, "PRESHARED_PASSWORD": "a shared password", **values}
        )

    async def current_settings(self) -> Settings:
        return self.settings


class Recorder:
    """An app that answers 200 and keeps the scope it was given."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def test_the_app_behind_never_sees_the_header() -> None:
    inner = Recorder()
    app = OriginVerifyMiddleware(inner, FixedSettings(ORIGIN_VERIFY_SECRET=SECRET))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/x", headers={HEADER: SECRET, "X-Other": "kept"})
        refused = await client.get("/x")
    assert (answer.status_code, refused.status_code) == (200, 403)
    [scope] = inner.scopes  # the refused request never reached it
    names = [name for name, _ in scope["headers"]]
    assert b"x-origin-verify" not in names and b"x-other" in names
    assert all(SECRET.encode() not in value for _, value in scope["headers"])
