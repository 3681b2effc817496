"""The Uvicorn set-up of `stereospot serve` and `stereospot inference-server`, guarded
against connections that never ask.

Uvicorn closes a keep-alive connection that idles between requests, but not one that never
sends a request: 300 silent sockets against a 256-descriptor limit used up every descriptor
and /healthz went unanswered. Three guards, the ones a front server such as nginx
(`client_header_timeout`, `worker_connections`) would give:

- a request-head timeout: a connection that has not sent a complete request head within
  STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS of connecting (or of the first byte of its next
  request) is closed;
- a connection cap below the descriptor limit (STEREOSPOT_MAX_CONNECTIONS): a connection
  over it is answered at once with a 503 and `Connection: close`, so descriptors never run
  out and a new client hears "busy" instead of nothing;
- the soft descriptor limit raised to the hard one at start-up, so the cap can be as high
  as the system lets this process go.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from stereospot.logs import event

log = logging.getLogger("stereospot.server")

# Descriptors kept back from the cap for what else the process opens: the SQLite database,
# object files being read or written, ffmpeg pipes, worker threads' sockets to AWS.
HEADROOM = 64
# Each open connection costs memory (about 4 KiB idle, measured by bench/idle_connections.py);
# a system whose hard limit is a million does not get a million-connection cap by default.
DEFAULT_CEILING = 4096


@dataclass
class Guard:
    """The limits one server enforces, and whether it is refusing (to log changes once)."""

    head_timeout: float
    max_connections: int
    descriptors: int | None = None
    refusing: bool = False
    refused: int = 0


def raise_descriptor_limit() -> int | None:
    """Raise the soft RLIMIT_NOFILE to the hard one; the soft limit now in force (None for
    no limit, or where the platform has none)."""
    if sys.platform == "win32":
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # macOS refuses RLIM_INFINITY above OPEN_MAX
            pass
    return None if soft == resource.RLIM_INFINITY else soft


def connection_cap(descriptors: int | None, configured: int | None) -> int:
    """The most connections to hold open: `configured` or the default, never more than the
    descriptors allow with HEADROOM to spare."""
    wanted = configured or DEFAULT_CEILING
    if descriptors is None:
        return wanted
    return min(wanted, max(descriptors - HEADROOM, descriptors // 2, 1))


def prepare(head_timeout: float, configured: int | None) -> Guard:
    """At start-up, before the port opens: raise the descriptor limit and size the cap."""
    descriptors = raise_descriptor_limit()
    return Guard(head_timeout, connection_cap(descriptors, configured), descriptors)


def busy_answer(retry_after: float) -> bytes:
    """A whole HTTP/1.1 503, written before any request is read: which page or API call the
    connection wanted is unknown, so the body is the API's error shape."""
    body = json.dumps(
        {"detail": "StereoSpot has too many open connections; try again in a few seconds."}
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        f"retry-after: {max(1, math.ceil(retry_after))}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedProtocol(HttpToolsProtocol):
    """Uvicorn's httptools protocol with a request-head timeout and a connection cap.

    `server_state.connections` is Uvicorn's own set of open connections (HTTP and upgraded
    WebSockets alike), so the cap counts what Uvicorn holds, idle or busy."""

    guard: ClassVar[Guard]
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.guard.max_connections:
            self._refuse()
            return
        self._head_timer = self.loop.call_later(self.guard.head_timeout, self._head_timed_out)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The first request's clock started at connect; a later one's starts at its first
        # byte (between requests, Uvicorn's keep-alive timeout is the clock).
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.guard.head_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)
        guard = self.guard
        if guard.refusing and len(self.connections) < guard.max_connections:
            guard.refusing = False
            event(log, "connections_accepted_again", refused=guard.refused)
            guard.refused = 0

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            # Quietly: a flood of silent sockets would otherwise flood the log too.
            event(log, "request_head_timeout", level=logging.DEBUG)
            self.transport.close()

    def _refuse(self) -> None:
        # Out of the count at once: refused connections must not hold the cap full.
        self.connections.discard(self)
        guard = self.guard
        guard.refused += 1
        if not guard.refusing:
            guard.refusing = True
            event(
                log,
                "connections_refused",
                level=logging.WARNING,
                open=guard.max_connections,
                setting="STEREOSPOT_MAX_CONNECTIONS",
            )
        # Written before the request is read, then closed: holding the socket open to read
        # the request would spend the descriptors this cap is here to save.
        self.transport.write(busy_answer(guard.head_timeout))
        self.transport.close()


def protocol_for(guard: Guard) -> type[GuardedProtocol]:
    """A protocol class bound to `guard`: Uvicorn builds one instance per connection and
    passes it only its own config."""
    return type("GuardedProtocol", (GuardedProtocol,), {"guard": guard})


def config(app: Any, guard: Guard, **options: Any) -> uvicorn.Config:
    """uvicorn.Config with the guarded protocol; the limits in force are logged once."""
    # proxy_headers off: Uvicorn would believe X-Forwarded-For from 127.0.0.1, so a local
    # process could pick its own address for the login limit; STEREOSPOT_TRUSTED_PROXIES
    # decides whom to believe (stereospot.client_ip).
    options.setdefault("proxy_headers", False)
    built = uvicorn.Config(app, http=protocol_for(guard), **options)
    event(
        log,
        "connection_limits",
        descriptors=guard.descriptors,
        max_connections=guard.max_connections,
        head_timeout=guard.head_timeout,
    )
    return built
