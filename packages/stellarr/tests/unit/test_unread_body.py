"""UnreadBodyMiddleware: an error answered while the body is still coming is followed by a
bounded drain and `Connection: close`; everything else passes untouched."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from fastapi.responses import JSONResponse

from stellarr.api.unread_body import UnreadBodyMiddleware
from stellarr_testing.asgi_driver import drive, http_scope

KIB = 1024


def answering(status: int, *, read_first: bool = False) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if read_first:
            while (await receive()).get("more_body", False):
                pass
        await JSONResponse({"detail": "no"}, status_code=status)(scope, receive, send)

    return app


def chunked(path: str = "/x") -> dict[str, Any]:
    return http_scope("POST", path, headers=[("transfer-encoding", "chunked")])


async def test_an_early_refusal_is_drained_up_to_the_byte_bound_then_closed() -> None:
    app = UnreadBodyMiddleware(answering(401), drain_bytes=10 * KIB)
    exchange = await drive(app, chunked(), itertools.repeat(b"x" * KIB))
    assert (exchange.status, exchange.json()) == (401, {"detail": "no"})
    assert exchange.header(b"connection") == b"close"
    assert exchange.pulled_before_answer == 0
    # 10 KiB and the chunk that went past it; the body never ended.
    assert exchange.finished and exchange.pulled == 11


async def test_a_short_body_after_a_refusal_is_drained_to_its_end() -> None:
    app = UnreadBodyMiddleware(answering(413))
    exchange = await drive(app, chunked(), [b"x" * KIB] * 5)
    assert exchange.header(b"connection") == b"close"
    assert exchange.finished and exchange.pulled == 5


async def test_a_client_that_stops_sending_is_given_up_on_after_the_time_bound() -> None:
    stalled = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await stalled.wait()  # never set: a client that sent headers and nothing more
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app = UnreadBodyMiddleware(answering(401), drain_seconds=0.01)
    await app(chunked(), receive, send)
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_a_declared_length_past_the_bound_is_closed_on_without_a_drain() -> None:
    app = UnreadBodyMiddleware(answering(413), drain_bytes=10 * KIB)
    scope = http_scope("POST", "/x", headers=[("content-length", str(11 * KIB))])
    exchange = await drive(app, scope, itertools.repeat(b"x" * KIB))
    assert exchange.header(b"connection") == b"close"
    assert exchange.finished and exchange.pulled == 0


async def test_a_client_waiting_for_100_continue_has_sent_nothing_to_drain() -> None:
    app = UnreadBodyMiddleware(answering(401))
    scope = http_scope(
        "POST", "/x", headers=[("content-length", "5000"), ("expect", "100-continue")]
    )
    # Asking for the body would make the server send "100 Continue" after the answer.
    exchange = await drive(app, scope, itertools.repeat(b"x" * KIB))
    assert exchange.header(b"connection") == b"close"
    assert exchange.finished and exchange.pulled == 0


async def test_answers_after_the_whole_body_and_successes_keep_the_connection() -> None:
    for app in (
        UnreadBodyMiddleware(answering(400, read_first=True)),
        UnreadBodyMiddleware(answering(200)),
    ):
        exchange = await drive(app, chunked(), [b"x" * KIB] * 3)
        assert exchange.header(b"connection") is None
        assert exchange.finished
    bodiless = http_scope("POST", "/x", headers=[("content-length", "0")])
    exchange = await drive(UnreadBodyMiddleware(answering(401)), bodiless, [b""])
    assert exchange.header(b"connection") is None and exchange.pulled == 0
