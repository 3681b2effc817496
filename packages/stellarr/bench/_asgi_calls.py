"""An app's own time per request: ASGI calls made in-process, with no socket, no HTTP parser
and no client, so what is left is the app (middleware, routing, the handler).

    per_call_us(app, get("/api/health"))
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

Scope = dict[str, Any]


def request_scope(
    method: str, path: str, query: bytes = b"", headers: Sequence[tuple[bytes, bytes]] = ()
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }


async def call(app: Any, scope: Scope, chunks: Sequence[bytes]) -> int:
    """One request whose body arrives in `chunks`, as a server hands it over; its status."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    messages.reverse()
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


async def per_call_us(
    app: Any, scope: Scope, chunks: Sequence[bytes] = (b"",), n: int = 3000
) -> float:
    """Microseconds per call, best of three rounds of `n`."""
    status = await call(app, scope, chunks)
    if status != 200:
        raise RuntimeError(f"{scope['method']} {scope['path']} answered {status}")
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(n):
            await call(app, scope, chunks)
        rounds.append((time.perf_counter() - started) / n * 1e6)
    return min(rounds)
