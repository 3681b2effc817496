"""Failed logins are counted per client: past STEREOSPOT_LOGIN_MAX_FAILURES in a window,
429 with Retry-After, for the right token too; X-Forwarded-For names the client only
when a trusted proxy sent it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from stereospot.bootstrap import build
from stereospot.client_ip import parse_networks
from stereospot.converters import PassThrough
from stereospot.web.app import create_app
from stereospot_testing.web_client import USERS
from stereospot_testing.web_server import stereospot_serve

from .conftest import Site

WRONG = {"name": "ann", "token": "not-anns-token-0000"}
RIGHT = {"name": "ann", "token": USERS["ann"]}


@asynccontextmanager
async def client_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def app_with(site: Site, **settings: Any) -> FastAPI:
    changed = dataclasses.replace(site.harness.settings, **settings)
    app = build(changed, clock=site.harness.clock, backend=site.harness.backend,
                converter=PassThrough())  # fmt: skip
    return create_app(app.service, users=USERS)


async def test_a_thousand_wrong_tokens_meet_429_after_five(site: Site) -> None:
    async with client_at(site.web, "203.0.113.9") as attacker:
        statuses = [(await attacker.post("/login", data=WRONG)).status_code for _ in range(1000)]
        assert statuses[:5] == [401] * 5
        assert set(statuses[5:]) == {429}
        refused = await attacker.post("/login", data=RIGHT)  # no more checks of any token
        assert refused.status_code == 429 and "set-cookie" not in refused.headers
        assert 0 < int(refused.headers["retry-after"]) <= 900
        assert "Too many failed logins" in refused.text and USERS["ann"] not in refused.text
    async with client_at(site.web, "198.51.100.20") as neighbour:  # counted apart
        assert (await neighbour.post("/login", data=RIGHT)).status_code == 303
    site.harness.clock.advance(901)
    async with client_at(site.web, "203.0.113.9") as attacker:
        assert (await attacker.post("/login", data=RIGHT)).status_code == 303


async def test_failures_stay_counted_after_a_right_token(site: Site) -> None:
    async with client_at(site.web, "203.0.113.9") as client:
        for _ in range(4):
            assert (await client.post("/login", data=WRONG)).status_code == 401
        assert (await client.post("/login", data=RIGHT)).status_code == 303
        assert (await client.post("/login", data=WRONG)).status_code == 401  # the fifth
        assert (await client.post("/login", data=WRONG)).status_code == 429


async def test_an_ipv6_client_cannot_step_around_it_within_its_64(site: Site) -> None:
    for n in range(5):
        async with client_at(site.web, f"2001:db8:1:2::{n + 1:x}") as client:
            assert (await client.post("/login", data=WRONG)).status_code == 401
    async with client_at(site.web, "2001:db8:1:2:ffff::9") as client:
        assert (await client.post("/login", data=RIGHT)).status_code == 429
    async with client_at(site.web, "2001:db8:1:3::1") as client:  # another /64
        assert (await client.post("/login", data=RIGHT)).status_code == 303


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(site: Site) -> None:
    async with client_at(site.web, "203.0.113.9") as client:
        for n in range(6):
            forged = {"X-Forwarded-For": f"192.0.2.{n}"}
            answer = await client.post("/login", data=WRONG, headers=forged)
        assert answer.status_code == 429


async def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(site: Site) -> None:
    web = app_with(site, trusted_proxies=parse_networks("10.0.0.0/8"), login_max_failures=2)
    async with client_at(web, "10.0.0.5") as balancer:
        one = {"X-Forwarded-For": "6.6.6.6, 192.0.2.1"}  # the leftmost hop is the client's own
        assert (await balancer.post("/login", data=WRONG, headers=one)).status_code == 401
        assert (await balancer.post("/login", data=WRONG, headers=one)).status_code == 401
        answer = await balancer.post("/login", data=RIGHT, headers=one)
        assert answer.status_code == 429
        two = {"X-Forwarded-For": "192.0.2.2"}
        assert (await balancer.post("/login", data=RIGHT, headers=two)).status_code == 303
        # Requests with no X-Forwarded-For count against the balancer itself.
        assert (await balancer.post("/login", data=RIGHT)).status_code == 303


def test_a_local_process_cannot_pick_its_address_through_the_server(tmp_path: Path) -> None:
    # `stereospot serve` for real: Uvicorn itself believes X-Forwarded-For from 127.0.0.1
    # unless told not to, which would make every forged address a new client here.
    env = {
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(tmp_path / "data"),
        "STEREOSPOT_USERS": f"ann:{USERS['ann']}",
        "STEREOSPOT_CONVERTER": "passthrough",
    }
    with (
        stereospot_serve(env, tmp_path, tmp_path / "serve.log") as url,
        httpx.Client(base_url=url) as client,
    ):
        answers = [
            client.post("/login", data=WRONG, headers={"X-Forwarded-For": f"192.0.2.{n}"})
            for n in range(6)
        ]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
