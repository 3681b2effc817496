"""ORIGIN_VERIFY_SECRET: with it set, only requests carrying the CDN's X-Origin-Verify header
reach the app, on every path; the previous value is accepted during a rotation; the value is
never logged or echoed. The app from the factory, driven over HTTP in-process."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from stellarr.api.origin_verify import HEADER
from stellarr.aws.errors import AwsError
from stellarr.bootstrap import build_app
from stellarr.secret_settings import SecretsManagerSettings
from stellarr.services.feeds import FEEDS
from stellarr.settings import Config, Settings, SettingsError
from stellarr_testing.harness import Harness, harness_env
from stellarr_testing.memory_store import memory_stores
from stellarr_testing.webhooks import TOKEN

from .conftest import MakeApi

CURRENT = "current-origin-secret-" + "c" * 26
PREVIOUS = "previous-origin-secret-" + "p" * 25
OTHER = "someone-elses-guess-at-it-" + "x" * 22
PAIR = {"ORIGIN_VERIFY_SECRET": CURRENT, "ORIGIN_VERIFY_SECRET_PREVIOUS": PREVIOUS}


@pytest.fixture
async def behind_cdn(make_api_with: MakeApi) -> Harness:
    return await make_api_with(
        stores=memory_stores(), ORIGIN_VERIFY_SECRET=CURRENT, PLEX_WEBHOOK_TOKEN=TOKEN
    )


def refused(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    assert response.json() == {
        "detail": "This origin answers only requests relayed by the site's CDN "
        "(X-Origin-Verify is missing or wrong): use the site's own address"
    }
    # Like every answer: the security headers, and never cached.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    return True


# Every kind of route: health, the API, the docs, the feeds, the webhooks, the library sync,
# the web app and the trending files, and paths nothing serves.
PATHS = [
    ("GET", "/api/health"),
    ("GET", "/api/auth/params"),
    ("POST", "/api/auth/verify"),
    ("GET", "/api/requests"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    *(("GET", f"{feed.path}?token=anything") for feed in FEEDS),
    ("POST", f"/webhook/plex?token={TOKEN}"),
    ("POST", f"/webhook/jellyfin?token={TOKEN}"),
    ("POST", f"/sync/library?media_type=movie&token={TOKEN}"),
    ("GET", "/"),
    ("GET", "/requests"),
    ("GET", "/trending-all-en.json"),
    ("GET", "/no/such/path"),
    ("HEAD", "/api/health"),
    ("OPTIONS", "/api/requests"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
async def test_every_path_is_refused_without_the_header(
    behind_cdn: Harness, method: str, path: str
) -> None:
    body = b'{"event": "library.new"}' if method == "POST" else None
    for headers in ({}, {HEADER: OTHER}, {HEADER: CURRENT.upper()}, {HEADER: ""}):
        response = await behind_cdn.client.request(method, path, headers=headers, content=body)
        if method == "HEAD":
            assert response.status_code == 403 and response.content == b""
        else:
            assert refused(response), (method, path, headers, response.status_code)


async def test_the_header_lets_requests_through_and_the_app_works(behind_cdn: Harness) -> None:
    api = behind_cdn
    api.client.headers[HEADER] = CURRENT
    health = await api.client.get("/api/health")
    assert health.status_code == 200
    assert health.json() == {"status": "healthy", "service": "stellarr"}
    auth = await api.login()
    added = await api.client.post(
        "/api/request", json={"tmdb_id": 13475, "media_type": "movie"}, headers=auth
    )
    assert added.status_code == 201, added.text
    listed = (await api.client.get("/api/requests", headers=auth)).json()["requests"]
    assert [r["tmdb_id"] for r in listed] == [13475]
    # The app's own refusals still come from the app, not from the origin check.
    assert (await api.client.get("/api/requests")).status_code == 401
    assert (await api.client.get("/api/no-such-route")).status_code == 404


async def test_a_header_sent_twice_is_refused_even_when_one_is_right(behind_cdn: Harness) -> None:
    for pair in ([CURRENT, OTHER], [OTHER, CURRENT], [CURRENT, CURRENT]):
        headers = [(HEADER, value) for value in pair]
        assert refused(await behind_cdn.client.get("/api/health", headers=headers))


async def test_without_the_setting_nothing_is_required(make_api_with: MakeApi) -> None:
    api = await make_api_with(stores=memory_stores())
    assert (await api.client.get("/api/health")).status_code == 200
    assert (await api.client.get("/api/health", headers={HEADER: OTHER})).status_code == 200


async def test_the_value_is_never_logged_or_echoed(
    make_api_with: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    api = await make_api_with(stores=memory_stores(), ORIGIN_VERIFY_SECRET=CURRENT)
    with caplog.at_level(logging.DEBUG):
        wrong = await api.client.get("/api/health", headers={HEADER: OTHER})
        missing = await api.client.post("/api/auth/verify", json={"password": "x"})
        right = await api.client.get("/api/health", headers={HEADER: CURRENT})
    assert refused(wrong) and refused(missing) and right.status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "origin check refused GET /api/health: wrong X-Origin-Verify value" in logged
    assert "origin check refused POST /api/auth/verify: no X-Origin-Verify header" in logged
    for response in (wrong, missing, right):
        assert CURRENT not in response.text and OTHER not in response.text
        assert CURRENT not in str(response.headers) and OTHER not in str(response.headers)
    assert CURRENT not in logged and OTHER not in logged


class RotatingSecret:
    """The app secret in Secrets Manager, in memory: what an operator's edits put there."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.fail = False

    async def get_secret_string(self, secret_id: str) -> str:
        if self.fail:
            raise AwsError("AccessDeniedException", "not allowed", 400)
        return json.dumps(self.values)

    async def aclose(self) -> None:
        return None


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_rotation_keeps_every_edge_server_answered(tmp_path: Path) -> None:
    env = harness_env("http://127.0.0.1:9", str(tmp_path))
    secret = RotatingSecret({**env, "ORIGIN_VERIFY_SECRET": PREVIOUS})
    clock = Clock()
    settings = SecretsManagerSettings({}, "stellarr/app", secret, clock=clock)
    app = build_app(Config.from_mapping(env), settings, stores=memory_stores())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://stellarr.test") as client:

        async def status(value: str) -> int:
            return (await client.get("/api/health", headers={HEADER: value})).status_code

        assert [await status(v) for v in (PREVIOUS, CURRENT)] == [200, 403]
        # 1. The operator puts a new value in, keeping the old one as the previous.
        secret.values.update(ORIGIN_VERIFY_SECRET=CURRENT, ORIGIN_VERIFY_SECRET_PREVIOUS=PREVIOUS)
        assert await status(CURRENT) == 403  # not re-read yet
        clock.now += 301  # the secret is re-read after 5 minutes
        # 2. Edge servers still on the old value and those on the new one are both answered.
        assert [await status(v) for v in (PREVIOUS, CURRENT, OTHER)] == [200, 200, 403]
        # 3. CloudFront is on the new value everywhere: the old one is dropped.
        del secret.values["ORIGIN_VERIFY_SECRET_PREVIOUS"]
        clock.now += 301
        assert [await status(v) for v in (PREVIOUS, CURRENT)] == [403, 200]
    await app.state.services.close()


async def test_unreadable_settings_refuse_everything_with_503(tmp_path: Path) -> None:
    env = harness_env("http://127.0.0.1:9", str(tmp_path))
    secret = RotatingSecret({**env, "ORIGIN_VERIFY_SECRET": CURRENT})
    secret.fail = True
    settings = SecretsManagerSettings({}, "stellarr/app", secret)
    app = build_app(Config.from_mapping(env), settings, stores=memory_stores())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://stellarr.test") as client:
        answer = await client.get("/api/health", headers={HEADER: CURRENT})
    assert answer.status_code == 503
    assert answer.json() == {
        "detail": "Settings unavailable: Secrets Manager: AccessDeniedException"
    }
    await app.state.services.close()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ORIGIN_VERIFY_SECRET": "short"}, "ORIGIN_VERIFY_SECRET is too weak"),
        ({"ORIGIN_VERIFY_SECRET": "a b" + "c" * 40}, "ORIGIN_VERIFY_SECRET may only hold"),
        ({"ORIGIN_VERIFY_SECRET_PREVIOUS": PREVIOUS}, "ORIGIN_VERIFY_SECRET_PREVIOUS is set"),
    ],
)
def test_weak_or_half_set_values_are_refused_at_start_up(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    env = harness_env("http://127.0.0.1:9", str(tmp_path), **values)
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_mapping(env)
    # The value itself is never in the message, nor in the settings' repr.
    assert all(value not in str(caught.value) for value in values.values())
    good = Settings.from_mapping(harness_env("http://127.0.0.1:9", str(tmp_path), **PAIR))
    assert good.origin_verify_values == (CURRENT, PREVIOUS)
    assert CURRENT not in repr(good) and PREVIOUS not in repr(good)
