"""Connections that never send a request cannot take `stellarr serve` down (stellarr.server):
a silent one is closed after REQUEST_HEAD_TIMEOUT_SECONDS, one over the cap is answered 503
at once, and /api/health answers with more idle sockets open than the server has
descriptors. Real processes, raw sockets on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stellarr_testing.idle_sockets import (
    descriptor_limits,
    get,
    idle_sockets,
    read_response,
    read_to_end,
    status,
)
from stellarr_testing.processes import POLL_INTERVAL, running_stellarr, serve_env

HEALTH = b"GET /api/health HTTP/1.1\r\nHost: stellarr\r\n\r\n"


@contextmanager
def serving(
    tmp_path: Path, preexec_fn: Callable[[], None] | None = None, **settings: str
) -> Iterator[str]:
    env = serve_env(tmp_path, **{"LOG_LEVEL": "WARNING", **settings})
    with running_stellarr(env, tmp_path, preexec_fn=preexec_fn) as (base, _):
        yield base


def health_until_served(base: str, attempts: int = 200) -> list[int | None]:
    """Ask /api/health while it answers 503 (busy), up to `attempts` times; every status
    seen. Anything but a 503 ends it: a 200, or no answer at all."""
    seen: list[int | None] = []
    for _ in range(attempts):
        seen.append(status(get(base, "/api/health")))
        if seen[-1] != 503:
            break
        time.sleep(POLL_INTERVAL)
    return seen


def test_a_connection_without_a_whole_request_head_is_closed(tmp_path: Path) -> None:
    with (
        serving(tmp_path, REQUEST_HEAD_TIMEOUT_SECONDS="2") as base,
        idle_sockets(base, 3) as (silent, slow, kept),
    ):
        slow.sendall(b"GET /api/health HTTP/1.1\r\nHost: stellarr\r\n")  # never ends
        # A keep-alive client whose second request head stops halfway: Uvicorn's
        # keep-alive clock stopped at its first byte, so the head timeout must close it.
        kept.sendall(HEALTH)
        assert read_response(kept).startswith(b"HTTP/1.1 200 ")
        kept.sendall(b"GET /api/health HTTP/1.1\r\nHo")
        assert read_to_end(silent) == b""
        assert read_to_end(slow) == b""
        assert read_to_end(kept) == b""
        # Meanwhile a client that sends its request at once is served as ever.
        assert status(get(base, "/api/health")) == 200


def test_connections_over_the_cap_are_answered_503_at_once(tmp_path: Path) -> None:
    # A head timeout far longer than the test: every refusal below is the cap's.
    with serving(tmp_path, MAX_CONNECTIONS="8", REQUEST_HEAD_TIMEOUT_SECONDS="300") as base:
        with idle_sockets(base, 8) as held:
            refused = get(base, "/api/health")
            assert status(refused) == 503, refused
            assert refused is not None
            head = refused.lower()
            assert b"\r\nconnection: close\r\n" in head and b"\r\nretry-after: " in head
            assert b'"detail"' in refused
            with idle_sockets(base, 1) as (silent,):
                # Answered and closed without sending a byte: nothing left holding it.
                assert status(read_to_end(silent)) == 503
            # The held connections are still served.
            held[0].sendall(HEALTH)
            assert read_response(held[0]).startswith(b"HTTP/1.1 200 ")
        # Once they close there is room again.
        assert health_until_served(base)[-1] == 200


def test_health_answers_through_more_idle_sockets_than_descriptors(tmp_path: Path) -> None:
    # Soft limit 128, hard 256: the server raises its soft limit to 256, so its cap is
    # 256 - 64 = 192 connections. Without the raise it would be 128 - 64 = 64.
    limits = descriptor_limits(128, 256)
    with (
        serving(tmp_path, limits, REQUEST_HEAD_TIMEOUT_SECONDS="3") as base,
        idle_sockets(base, 150) as first,
    ):
        # The 150th connection is held and served: the soft limit was raised.
        first[-1].sendall(HEALTH)
        assert read_response(first[-1]).startswith(b"HTTP/1.1 200 ")
        with idle_sockets(base, 250) as more:  # 400 in all, more than 256 descriptors
            assert status(read_to_end(more[-1])) == 503
            seen = health_until_served(base)
            assert seen[-1] == 200, seen
            # The held idle sockets were closed by the server, not left to pile up.
            assert read_to_end(first[0]) == b""
