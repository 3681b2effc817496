"""Each webhook is decided once, and a stranger's is refused before its body is read.

The intake (api/webhook_intake.py) checks the query-string token before it reads a byte of
the body, so nobody without the token can make the server hold a body; it parses each body
once, and the route acts on that decision without parsing it again.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from stellarr.api import webhooks
from stellarr.api.unread_body import DRAIN_BYTES
from stellarr.domain.library_events import WebhookEvent
from stellarr.domain.models import MediaType
from stellarr_testing.asgi_driver import drive, http_scope
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import TOKEN, multipart, plex_movie, post_plex, sample, seed

MIB = 1024 * 1024
MATRIX = plex_movie("The Matrix", 1999, ["imdb://tt0133093", "tmdb://603"])
PLAY = "plexdocs_media.play_track__influxdata_telegraf.json"


@pytest.mark.parametrize("path", ["/webhook/plex", "/webhook/jellyfin", "/webhook/emby"])
@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("", "This URL needs ?token=<PLEX_WEBHOOK_TOKEN>"),
        ("token=not-the-token", "Wrong webhook token"),
    ],
)
async def test_a_missing_or_wrong_token_is_refused_before_the_body_is_read(
    hooks: Harness, path: str, query: str, detail: str
) -> None:
    # A body that never ends: only what the app pulls is ever made.
    endless = itertools.repeat(b"x" * MIB)
    scope = http_scope("POST", path, query, [("transfer-encoding", "chunked")])
    exchange = await drive(hooks.app, scope, endless)
    assert (exchange.status, exchange.json()) == (401, {"detail": detail})
    assert exchange.pulled_before_answer == 0, "the body was read before the token was checked"
    # What followed the answer was read and dropped up to the bound, then the connection
    # was to be closed.
    assert exchange.header(b"connection") == b"close"
    assert exchange.finished and exchange.pulled <= DRAIN_BYTES // MIB + 1


async def test_an_unconfigured_webhook_is_refused_before_the_body_is_read(
    api: Harness,
) -> None:
    scope = http_scope(
        "POST", "/webhook/plex", f"token={TOKEN}", [("transfer-encoding", "chunked")]
    )
    exchange = await drive(api.app, scope, itertools.repeat(b"x" * MIB))
    assert (exchange.status, exchange.json()) == (403, {"detail": "webhook not configured"})
    assert exchange.pulled_before_answer == 0


class CountingParser:
    def __init__(self, parse: Any) -> None:
        self.parse = parse
        self.calls = 0

    def __call__(self, payload: dict[str, Any]) -> WebhookEvent:
        self.calls += 1
        event: WebhookEvent = self.parse(payload)
        return event


@pytest.fixture
def plex_parser(monkeypatch: pytest.MonkeyPatch) -> CountingParser:
    counting = CountingParser(webhooks.PARSERS["/webhook/plex"])
    monkeypatch.setitem(webhooks.PARSERS, "/webhook/plex", counting)
    return counting


async def test_each_webhook_is_parsed_once(hooks: Harness, plex_parser: CountingParser) -> None:
    await seed(hooks, MediaType.MOVIE, 603, "The Matrix", 1999)
    added = await post_plex(hooks, MATRIX)
    assert added.json()["matched_request"] is True, added.text
    assert plex_parser.calls == 1, "an addition was parsed again by the route"
    ignored = await post_plex(hooks, sample(PLAY))
    assert ignored.json()["status"] == "ignored"
    assert plex_parser.calls == 2
    body, content_type = multipart({"event": "library.new", "Metadata": []})
    refused = await hooks.client.post(
        "/webhook/plex",
        content=body,
        params={"token": TOKEN},
        headers={"content-type": content_type},
    )
    assert refused.status_code == 400, refused.text
    assert plex_parser.calls == 3, "a refusal was parsed again by the route"
