"""One HTTP request driven into an ASGI app message by message, the way a server hands a body
over, noting how much of the body the app had pulled when it began to answer. httpx's
ASGITransport cannot show that: it is how a test proves a refusal came before the body was
read, or that a body was refused while it arrived."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]


@dataclass
class Exchange:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    # Body chunks the app had received when it sent the start of its answer, and in all.
    pulled_before_answer: int | None = None
    pulled: int = 0
    # The answer's last message came (more_body false).
    finished: bool = False

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)

    def json(self) -> Any:
        return json.loads(self.body)


def http_scope(
    method: str, path: str, query: str = "", headers: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"stellarr.test")]
        + [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("203.0.113.7", 40000),
        "server": ("stellarr.test", 80),
        "state": {},
    }


async def drive(app: Any, scope: dict[str, Any], chunks: Iterable[bytes]) -> Exchange:
    """`chunks` may be endless (itertools.repeat): then the body never ends, and only what
    the app chooses to pull is made."""
    source = iter(chunks)
    pending = next(source, None)
    exchange = Exchange()
    done = False

    async def receive() -> Message:
        nonlocal pending, done
        if done:
            return {"type": "http.disconnect"}
        chunk, pending = pending, next(source, None)
        done = pending is None
        exchange.pulled += 1
        return {"type": "http.request", "body": chunk or b"", "more_body": not done}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
            exchange.headers = list(message.get("headers", ()))
            exchange.pulled_before_answer = exchange.pulled
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")
            exchange.finished = not message.get("more_body", False)

    await app(scope, receive, send)
    return exchange
