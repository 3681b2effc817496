"""Bodies are read only after the caller is known, and never past their route's cap: a
real `stereospot serve` process, fed by a raw socket that keeps writing a huge body until
the server answers. An answer that comes while the body is still being written is one the
server gave without reading it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute

from stereospot.web.auth import COOKIE
from stereospot.web.body_limits import COMPLETION_LIMIT, DEFAULT_LIMIT, route_limits
from stereospot_testing.raw_http import HUGE, send_until_answered
from stereospot_testing.web_client import USERS, browser_as
from stereospot_testing.web_server import stereospot_serve

from .conftest import Site

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class Served:
    url: str
    cookie: str
    csrf: str

    def writes(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}", "X-CSRF-Token": self.csrf}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    env = {
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(folder / "data"),
        "STEREOSPOT_USERS": ",".join(f"{name}:{token}" for name, token in USERS.items()),
        "STEREOSPOT_CONVERTER": "passthrough",
    }
    with stereospot_serve(env, folder, folder / "serve.log") as url:
        login = httpx.post(f"{url}/login", data={"name": "ann", "token": USERS["ann"]})
        assert login.status_code == 303, login.text
        cookie = login.cookies[COOKIE]
        match = _CSRF.search(httpx.get(url, headers={"Cookie": f"{COOKIE}={cookie}"}).text)
        assert match
        yield Served(url, cookie, match[1])


def test_an_anonymous_huge_job_is_refused_before_its_body_is_read(served: Served) -> None:
    answer = send_until_answered(served.url, "POST", "/api/jobs", {})
    assert answer.status == 401, answer.head
    assert answer.body_sent < HUGE


def test_an_anonymous_chunked_body_is_refused_before_it_is_read(served: Served) -> None:
    answer = send_until_answered(served.url, "POST", "/api/jobs", {}, chunked=True)
    assert answer.status == 401, answer.head
    assert answer.body_sent < HUGE


@pytest.mark.parametrize("path", ["/api/jobs", f"/api/jobs/{'0' * 32}/uploads/abc/complete"])
def test_a_logged_in_body_over_the_cap_is_413_unread(served: Served, path: str) -> None:
    declared = send_until_answered(served.url, "POST", path, served.writes())
    assert declared.status == 413, declared.head
    assert declared.body_sent < HUGE
    counted = send_until_answered(served.url, "POST", path, served.writes(), chunked=True)
    assert counted.status == 413, counted.head
    assert counted.body_sent < HUGE


def test_a_part_over_the_part_size_is_413_declared_or_chunked(served: Served) -> None:
    """The route's own check (Content-Length) and the middleware's count (chunked) give
    the same answer."""
    with httpx.Client(base_url=served.url, headers=served.writes()) as client:
        job = client.post("/api/jobs", json={"filename": "big.mp4"}).json()["job_id"]
        upload = client.post(f"/api/jobs/{job}/uploads").json()["upload_id"]
    path = f"/api/jobs/{job}/uploads/{upload}/parts/1"
    declared = send_until_answered(served.url, "PUT", path, served.writes())
    counted = send_until_answered(served.url, "PUT", path, served.writes(), chunked=True)
    assert (declared.status, counted.status) == (413, 413), (declared.head, counted.head)
    assert declared.body_sent < HUGE and counted.body_sent < HUGE


def test_an_anonymous_part_upload_is_refused_unread(served: Served) -> None:
    path = f"/api/jobs/{'0' * 32}/uploads/abc/parts/1"
    answer = send_until_answered(served.url, "PUT", path, {})
    assert answer.status == 401, answer.head
    assert answer.body_sent < HUGE


def test_a_huge_login_form_is_refused_unread(served: Served) -> None:
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = send_until_answered(served.url, "POST", "/login", kind)
    assert answer.status == 413, answer.head
    assert answer.body_sent < HUGE


def test_ordinary_calls_still_work_on_the_same_server(served: Served) -> None:
    with httpx.Client(base_url=served.url, headers=served.writes()) as client:
        created = client.post("/api/jobs", json={"filename": "holiday.mp4"})
        assert created.status_code == 201, created.text
        job_id = created.json()["job_id"]
        assert client.get(f"/api/jobs/{job_id}").json()["filename"] == "holiday.mp4"


def test_no_route_reads_a_body_before_its_dependencies() -> None:
    """FastAPI reads a body parameter before running any dependency, the session check
    included: every body must come through a dependency instead (deps.json_body)."""
    from stereospot.web import api, media, pages

    routes = [*api.router.routes, *pages.router.routes, *media.router.routes]
    assert routes
    takers = [r.path for r in routes if isinstance(r, APIRoute) and r.body_field is not None]
    assert takers == []


def test_every_larger_limit_names_an_api_route() -> None:
    from stereospot.web import api

    operations = {r.operation_id for r in api.router.routes if isinstance(r, APIRoute)}
    assert set(route_limits(8 << 20)) <= operations


async def test_json_and_forms_are_capped_and_small_ones_pass(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        padded = {"filename": "a.mp4", "pad": " " * DEFAULT_LIMIT}
        response = await ann.client.post("/api/jobs", json=padded, headers=ann.writes)
        assert response.status_code == 413
        assert response.json() == {
            "detail": f"the request body is larger than {DEFAULT_LIMIT} bytes"
        }
        job = await ann.client.post("/api/jobs", json={"filename": "a.mp4"}, headers=ann.writes)
        assert job.status_code == 201
        job_id = job.json()["job_id"]
        # A completion listing 10,000 parts is a legitimate large body: past the cap check
        # (the service then finds no such upload), never 413.
        parts = [{"number": n, "etag": "e" * 32, "size": 8388608} for n in range(1, 10001)]
        complete = await ann.client.post(
            f"/api/jobs/{job_id}/uploads/abc/complete", json={"parts": parts}, headers=ann.writes
        )
        assert complete.status_code != 413 and len(complete.request.content) < COMPLETION_LIMIT
        assert complete.status_code in (400, 404, 409), complete.text
        form = await ann.client.post(
            f"/jobs/{job_id}/cancel", data={"csrf": ann.csrf, "pad": "x" * DEFAULT_LIMIT}
        )
        assert form.status_code == 413 and "Too large" in form.text
        assert (await ann.client.get("/api/jobs")).status_code == 200


async def test_bad_json_is_a_clear_422_without_the_input(site: Site) -> None:
    async with browser_as(site.web, "ann") as ann:
        secret = "not-json-" + USERS["bob"]
        response = await ann.client.post(
            "/api/jobs",
            content=secret.encode(),
            headers={**ann.writes, "Content-Type": "application/json"},
        )
        assert response.status_code == 422 and "detail" in response.json()
        assert USERS["bob"] not in response.text
        missing = await ann.client.post("/api/jobs", json={}, headers=ann.writes)
        assert missing.status_code == 422 and "filename" in missing.json()["detail"]
