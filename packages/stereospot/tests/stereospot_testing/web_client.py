"""Logging in to the web app in-process (httpx over ASGITransport) and reading what the
pages hand their scripts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

USERS = {"ann": "ann-token-0123456789abcdef", "bob": "bob-token-0123456789abcdef"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class Browser:
    """An httpx client with a session, and the CSRF token its pages carry."""

    client: httpx.AsyncClient
    csrf: str = ""

    @property
    def writes(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def refresh_csrf(self) -> str:
        page = await self.client.get("/")
        match = _CSRF.search(page.text)
        assert match, page.text[:300]
        self.csrf = match[1]
        return self.csrf


def client_for(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def log_in(client: httpx.AsyncClient, name: str, token: str | None = None) -> httpx.Response:
    return await client.post(
        "/login", data={"name": name, "token": token or USERS[name], "next": "/"}
    )


@asynccontextmanager
async def browser_as(app: FastAPI, name: str | None) -> AsyncIterator[Browser]:
    """A client logged in as `name` (None: anonymous)."""
    async with client_for(app) as client:
        browser = Browser(client)
        if name is not None:
            response = await log_in(client, name)
            assert response.status_code == 303, response.text
            await browser.refresh_csrf()
        yield browser


COOKIE_HEADER = b"cookie"


def session_cookie(browser: Browser) -> bytes:
    """The session cookie as a raw Cookie header value, for hand-made ASGI requests."""
    from stereospot.web.auth import COOKIE

    return f"{COOKIE}={browser.client.cookies[COOKIE]}".encode()
