"""POST /webhook/plex at its edges: the malformed-input list, the token, the server filters,
the cheap ignored path (proved not to touch the store), idempotence and concurrency."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.responses import JSONResponse

from stellarr.api.webhook_intake import DECISION, Decision, WebhookIntakeMiddleware
from stellarr.domain.errors import Unauthorized
from stellarr.domain.library_events import BadPayload
from stellarr.domain.models import MediaType, RequestStatus
from stellarr.logs import scrub
from stellarr.store.ports import Stores
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.fake_notify import FakeNotifyTarget
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import (
    BOUNDARY,
    THUMB,
    TOKEN,
    as_library_new,
    multipart,
    plex_movie,
    post_plex,
    sample,
    seed,
)

from .conftest import MakeApi

MATRIX = plex_movie("The Matrix", 1999, ["imdb://tt0133093", "tmdb://603"])
PLAY = "plexdocs_media.play_track__influxdata_telegraf.json"
SCROBBLE = "media.scrobble_episode_real__jxxghp_MoviePilot.json"
SYNTHETIC_MOVIE = "library.new_movie_synthetic__plex-discord-webhook_README.json"


async def seed_matrix(api: Harness) -> None:
    """The pending request MATRIX fulfils."""
    await seed(api, MediaType.MOVIE, 603, "The Matrix", 1999)


async def post_raw(api: Harness, body: bytes, content_type: str | None, **headers: str) -> Any:
    sent = {"content-type": content_type} if content_type else {}
    return await api.client.post(
        "/webhook/plex", content=body, params={"token": TOKEN}, headers={**sent, **headers}
    )


# --- the malformed-input list ------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"thumb": None},
        {"thumb": THUMB},
        {"thumb": THUMB, "thumb_first": True},
        {"thumb": (THUMB + b"\r\n--x\r\n") * 3000, "thumb_first": True},
    ],
    ids=["no-thumb", "thumb-after", "thumb-before", "200kb-thumb-before"],
)
async def test_multipart_with_the_thumb_anywhere(hooks: Harness, options: dict[str, Any]) -> None:
    await seed_matrix(hooks)
    response = await post_plex(hooks, MATRIX, **options)
    assert response.status_code == 200, response.text
    assert response.json()["matched_request"] is True


async def test_a_duplicate_payload_field_the_first_wins(hooks: Harness) -> None:
    await seed_matrix(hooks)
    play = json.dumps(sample(PLAY))
    ignored = await post_plex(hooks, sample(PLAY), extra_payload=json.dumps(MATRIX))
    assert ignored.json()["status"] == "ignored"
    body, content_type = multipart(MATRIX, extra_payload=play)
    response = await post_raw(hooks, body, content_type)
    assert response.json()["matched_request"] is True


async def test_urlencoded_and_raw_json_bodies(hooks: Harness) -> None:
    await seed_matrix(hooks)
    form = urlencode({"payload": json.dumps(sample(PLAY))}).encode()
    answer = await post_raw(hooks, form, "application/x-www-form-urlencoded")
    assert answer.json()["status"] == "ignored"
    response = await post_raw(hooks, json.dumps(MATRIX).encode(), "application/json")
    assert response.json()["matched_request"] is True


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (multipart(None)[0], multipart(None)[1]),  # only a thumb
        (multipart("")[0], multipart("")[1]),  # blank payload
        (multipart("   \r\n ")[0], multipart("")[1]),
        (multipart("{not json")[0], multipart("")[1]),
        (multipart("[1, 2]")[0], multipart("")[1]),  # JSON, not an object
        (multipart({"Metadata": {}})[0], multipart("")[1]),  # no event
        (multipart({"event": "library.new", "Metadata": []})[0], multipart("")[1]),
        (b"payload=", "application/x-www-form-urlencoded"),
        (b"thumb=abc", "application/x-www-form-urlencoded"),
        (b"", None),
        (b'{"event": ', "application/json"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b"--nope\r\n\r\n", f"multipart/form-data; boundary={BOUNDARY}"),
        (THUMB, "multipart/form-data"),  # no boundary
    ],
)
async def test_unreadable_bodies_are_400_with_a_reason(
    hooks: Harness, body: bytes, content_type: str | None
) -> None:
    response = await post_raw(hooks, body, content_type)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


@pytest.mark.parametrize(
    "metadata",
    [
        {"type": "movie", "title": 42, "year": "1999", "Guid": "tmdb://603"},
        {"type": "movie", "title": "X", "year": [1999], "Guid": [None, 7, {"id": 5}]},
        {"type": "episode", "title": None, "grandparentTitle": {"a": 1}, "Guid": [{}]},
        {"type": "show", "title": "\u0000\ud800 \n", "guid": 603},
    ],
)
async def test_odd_shapes_are_answered_never_crashed(
    hooks: Harness, metadata: dict[str, Any]
) -> None:
    payload = {"event": "library.new", "Server": {"title": "x"}, "Metadata": metadata}
    response = await post_plex(hooks, payload)
    assert response.status_code in (200, 400), response.text


async def test_a_body_over_10_mib_is_413_and_one_over_1_mib_is_read(hooks: Harness) -> None:
    big_thumb = b"\x00" * (5 * 1024 * 1024)
    accepted = await post_plex(hooks, sample(PLAY), thumb=big_thumb)
    assert accepted.status_code == 200 and accepted.json()["status"] == "ignored"
    body, content_type = multipart(sample(PLAY), thumb=b"\x00" * (10 * 1024 * 1024))
    refused = await post_raw(hooks, body, content_type)
    assert refused.status_code == 413 and "detail" in refused.json()

    async def chunks() -> Any:  # no Content-Length: the limit counts what arrives
        for start in range(0, len(body), 1024 * 1024):
            yield body[start : start + 1024 * 1024]

    streamed = await hooks.client.post(
        "/webhook/plex",
        content=chunks(),
        params={"token": TOKEN},
        headers={"content-type": content_type},
    )
    assert streamed.status_code == 413


# --- the token -----------------------------------------------------------------------------


async def test_no_webhook_token_configured_is_403(make_api: MakeApi) -> None:
    api = await make_api()
    response = await post_plex(api, MATRIX)
    assert response.status_code == 403
    assert response.json() == {"detail": "webhook not configured"}


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x", TOKEN[:-1]])
async def test_a_missing_or_wrong_token_is_401(hooks: Harness, token: str | None) -> None:
    await seed_matrix(hooks)
    response = await post_plex(hooks, MATRIX, token=token)
    assert response.status_code == 401
    assert TOKEN not in response.text
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == []


async def test_the_token_never_reaches_a_log_line(
    hooks: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await seed_matrix(hooks)
    await post_plex(hooks, MATRIX)
    await post_plex(hooks, sample(PLAY))
    await post_plex(hooks, MATRIX, token=TOKEN + "x")
    assert "WEBHOOK: " in caplog.text
    assert TOKEN not in caplog.text
    # What an access log line of this route becomes.
    line = scrub(f'203.0.113.7 - "POST /webhook/plex?token={TOKEN} HTTP/1.1" 200')
    assert TOKEN not in line and "/webhook/plex?token=***" in line


async def test_every_step_logs_one_webhook_line(
    hooks: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await seed_matrix(hooks)
    await post_plex(hooks, MATRIX)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("stellarr.")]
    steps = [line for line in lines if line.startswith("WEBHOOK: ")]
    assert len(steps) >= 5 and all("\n" not in line for line in steps)
    assert any("marked added" in line for line in steps)


# --- server filters and ignored events -----------------------------------------------------


async def test_plex_server_name_filter(make_api: MakeApi) -> None:
    api = await make_api(PLEX_WEBHOOK_TOKEN=TOKEN, PLEX_SERVER_NAME="Office")
    other = await post_plex(api, sample(SYNTHETIC_MOVIE))  # from "MyPlexServer"
    assert other.json() == {
        "status": "ignored",
        "reason": "server 'MyPlexServer' is not PLEX_SERVER_NAME",
    }
    ours = await post_plex(api, MATRIX)  # from "Office"
    assert ours.json()["status"] == "success"


async def test_plex_server_uuid_filter(make_api: MakeApi) -> None:
    api = await make_api(
        PLEX_WEBHOOK_TOKEN=TOKEN, PLEX_SERVER_UUID="54664a3d8acc39983675640ec9ce00b70af9cc36"
    )
    other = await post_plex(api, sample(SYNTHETIC_MOVIE))
    assert other.json()["status"] == "ignored" and "PLEX_SERVER_UUID" in other.json()["reason"]
    assert (await post_plex(api, MATRIX)).json()["status"] == "success"


class Recorder:
    """A real adapter that notes each port call it passes on."""

    def __init__(self, inner: object, name: str, calls: list[str]) -> None:
        self._inner, self._name, self._calls = inner, name, calls

    def __getattr__(self, attr: str) -> Any:
        method = getattr(self._inner, attr)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append(f"{self._name}.{attr}")
            return await method(*args, **kwargs)

        return call


def recording(stores: Stores, calls: list[str]) -> Stores:
    return Stores(
        stores.database,
        Recorder(stores.media, "media", calls),  # type: ignore[arg-type]
        Recorder(stores.keys, "keys", calls),  # type: ignore[arg-type]
        Recorder(stores.push, "push", calls),  # type: ignore[arg-type]
    )


async def test_ignored_events_touch_neither_store_nor_upstreams(
    make_api_with: MakeApi, tmp_path: Path, fake_tmdb: FakeTMDB
) -> None:
    calls: list[str] = []
    api = await make_api_with(
        stores=recording(sqlite_stores(tmp_path / "recorded.db"), calls),
        PLEX_WEBHOOK_TOKEN=TOKEN,
        PLEX_SERVER_NAME="Office",
    )
    await api.services.ready()
    revision = await api.services.stores.media.revision()
    calls.clear()
    track = sample(PLAY)
    track["event"] = "library.new"  # a new music track: not a movie or show
    for payload in (sample(PLAY), sample(SCROBBLE), track, as_library_new(SCROBBLE)):
        response = await post_plex(api, payload)
        assert response.json()["status"] == "ignored", response.text
        assert response.json()["reason"]
    assert calls == []
    assert fake_tmdb.seen == []
    assert await api.services.stores.media.revision() == revision


class Behind:
    """Stands for the router behind the intake: notes the decisions that reach it."""

    def __init__(self) -> None:
        self.decisions: list[Decision | None] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.decisions.append(scope.get(DECISION))
        await JSONResponse({"routed": True})(scope, receive, send)


def in_front_of(behind: Behind, api: Harness) -> httpx.AsyncClient:
    middleware = WebhookIntakeMiddleware(behind, api.services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(middleware), base_url="http://hooks")


@pytest.mark.parametrize("path", ["/webhook/plex", "/webhook/jellyfin", "/webhook/emby"])
async def test_ignored_events_are_answered_before_routing(hooks: Harness, path: str) -> None:
    behind = Behind()
    event = sample(PLAY) if path == "/webhook/plex" else {"NotificationType": "PlaybackStart"}
    async with in_front_of(behind, hooks) as client:
        response = await client.post(path, json=event, params={"token": TOKEN})
    assert response.json()["status"] == "ignored" and response.json()["reason"]
    assert behind.decisions == []
    # Through the whole app the same answer carries the security headers.
    whole = await hooks.client.post(path, json=event, params={"token": TOKEN})
    assert whole.json() == response.json()
    assert "default-src" in whole.headers["content-security-policy"]


async def test_everything_else_reaches_the_route_decided(hooks: Harness) -> None:
    """An addition, a refusal, a bad body: the route gets the intake's decision, and
    anything that is not a webhook gets no decision at all."""
    behind = Behind()
    body, content_type = multipart(MATRIX, THUMB, thumb_first=True)
    async with in_front_of(behind, hooks) as client:
        for token, content in ((TOKEN, body), ("wrong", body), (TOKEN, body[: len(body) // 2])):
            answer = await client.post(
                "/webhook/plex",
                content=content,
                params={"token": token},
                headers={"content-type": content_type},
            )
            assert answer.json() == {"routed": True}
        other = await client.post("/api/health", content=b"x")
        assert other.json() == {"routed": True}
    addition, wrong_token, truncated, not_a_webhook = behind.decisions
    assert addition is not None and addition.addition is not None
    assert addition.addition.item is not None and addition.addition.item.title == "The Matrix"
    assert wrong_token is not None and isinstance(wrong_token.refusal, Unauthorized)
    assert truncated is not None and isinstance(truncated.refusal, BadPayload)
    assert not_a_webhook is None


async def test_a_body_of_200000_parts_is_refused_without_reading_them_all(
    hooks: Harness,
) -> None:
    """Each part costs the multipart reader a turn of a Python loop: a 10 MiB body of empty
    parts with the payload last held the event loop for 1.5 s before the parts were capped."""
    empty = f"--{BOUNDARY}\r\n\r\n\r\n".encode()  # no headers, no content
    payload = multipart(MATRIX)[0]
    body = empty * 200_000 + payload
    assert len(body) < 10 * 1024 * 1024
    answer = await post_raw(hooks, body, f"multipart/form-data; boundary={BOUNDARY}")
    assert (answer.status_code, answer.json()) == (
        400,
        {"detail": "multipart body has more than 16 parts"},
    )


async def test_refusals_log_one_webhook_line_without_the_token(
    hooks: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await post_plex(hooks, MATRIX, token="not-the-token-at-all")
    await post_raw(hooks, b"{", "application/json")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("WEBHOOK: ")]
    assert lines == [
        "WEBHOOK: plex refused: Wrong webhook token",
        "WEBHOOK: plex refused: body is not valid JSON",
    ]
    assert "not-the-token-at-all" not in caplog.text and TOKEN not in caplog.text


async def test_an_event_reads_the_requests_at_most_once(
    make_api_with: MakeApi, tmp_path: Path
) -> None:
    calls: list[str] = []
    api = await make_api_with(
        stores=recording(sqlite_stores(tmp_path / "recorded.db"), calls), PLEX_WEBHOOK_TOKEN=TOKEN
    )
    await seed_matrix(api)
    calls.clear()
    # An IMDb id nobody knows: the ids find nothing, then the title does.
    response = await post_plex(api, plex_movie("The Matrix", 1999, ["imdb://tt9999999"]))
    assert response.json()["matched_request"] is True, response.text
    assert calls.count("media.list_requests") == 1, calls


# --- idempotence, notifications, concurrency -----------------------------------------------


async def test_the_same_library_new_twice_notifies_once(
    notifying_hooks: Harness, notify_target: FakeNotifyTarget
) -> None:
    api = notifying_hooks
    await seed_matrix(api)
    before = len(notify_target.messages())
    first = await post_plex(api, MATRIX)
    second = await post_plex(api, MATRIX)
    assert (first.json()["matched_request"], first.json()["notification_sent"]) == (True, True)
    # Still that request's title; it was added by the first event, so nobody is told again.
    assert (second.json()["matched_request"], second.json()["notification_sent"]) == (True, False)
    assert second.json()["added_to_library"] is True
    messages = notify_target.messages()[before:]
    assert [m.body["title"] for m in messages] == ["Movie Available"]
    assert "The Matrix has been added to the library!" in messages[0].body["message"]
    request = await api.services.store.get_request(MediaType.MOVIE, 603)
    assert request is not None and request.status is RequestStatus.ADDED


async def test_concurrent_identical_events_notify_once(
    notifying_hooks: Harness, notify_target: FakeNotifyTarget
) -> None:
    api = notifying_hooks
    await seed_matrix(api)
    before = len(notify_target.messages())
    answers = await asyncio.gather(*(post_plex(api, MATRIX) for _ in range(6)))
    assert all(a.status_code == 200 and a.json()["matched_request"] for a in answers)
    assert sum(a.json()["notification_sent"] for a in answers) == 1
    assert len(notify_target.messages()) - before == 1


async def test_concurrent_webhook_and_delete_of_the_same_request(hooks: Harness) -> None:
    auth = await hooks.login("alice")
    for _ in range(3):
        await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999, imdb_id="tt0133093")
        hook, removal = await asyncio.gather(
            post_plex(hooks, MATRIX),
            hooks.client.delete("/api/request/movie/603", headers=auth),
        )
        assert hook.status_code == 200, hook.text
        assert removal.status_code in (200, 404), removal.text
        assert await hooks.services.store.get_request(MediaType.MOVIE, 603) is None
        assert await hooks.services.store.library_ids(MediaType.MOVIE) == [603]
        assert (await hooks.client.get("/list/radarr")).json() == []
