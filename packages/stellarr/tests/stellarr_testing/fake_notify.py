"""A notification target on 127.0.0.1 for Apprise's `json://` URLs: it records what
Apprise POSTs (`{"version", "title", "message", "type", "attachments"}`) and answers with
the status a test sets."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from stellarr_testing.http_servers import QuietHandler, serving


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    basic_auth: str | None


@dataclass
class FakeNotifyTarget:
    port: int = 0
    status: int = 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook", credentials: str = "") -> str:
        """The Apprise URL for this target (`json://[user:pass@]127.0.0.1:port/path`)."""
        userinfo = f"{credentials}@" if credentials else ""
        return f"json://{userinfo}127.0.0.1:{self.port}{path}"

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


def _handler(state: FakeNotifyTarget) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            raw = self.body()
            auth = self.headers.get("Authorization", "")
            basic = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else None
            with state.lock:
                state.received.append(Received(self.path, json.loads(raw), basic))
                status = state.status
            self.answer(status)

    return Handler


@contextmanager
def running_notify_target() -> Iterator[FakeNotifyTarget]:
    state = FakeNotifyTarget()
    with serving(_handler(state)) as origin:
        state.port = int(origin.rsplit(":", 1)[1])
        yield state
