"""A refusal sent before the request's body was read still reaches the client.

Most HTTP clients send the whole body before they read anything. If the server answers 401
or 413 without reading the body and then closes, the client is still writing into a socket
whose peer has gone: it sees a broken pipe or a reset (which throws away the answer waiting
in its buffer), never the refusal. If the server keeps the connection open instead, it reads
and throws away whatever the client sends for as long as it sends it.

So an error answered while the body is still coming is sent whole, then what follows is read
and dropped, at most `DRAIN_BYTES` and `DRAIN_SECONDS`, and only then is the response
finished with `Connection: close`, which makes the server close the connection. A chunk at a
time is held, never the body. A client that said `Expect: 100-continue` and was not told to
continue has sent no body, so there is nothing to drain; one whose declared length is past
the bound is closed on at once.

Outside the body limit, so a 413 is drained too, and it reads the body through the server's
own `receive`, past the limit.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Over the largest body any route takes (32 MiB for a library sync), so an honest client
# that sent a little too much, or a whole body with a wrong token, reads its answer.
DRAIN_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CLOSE = (b"connection", b"close")


class UnreadBodyMiddleware:
    def __init__(
        self, app: ASGIApp, drain_bytes: int = DRAIN_BYTES, drain_seconds: float = DRAIN_SECONDS
    ) -> None:
        self.app = app
        self.drain_bytes = drain_bytes
        self.drain_seconds = drain_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        declared, chunked, expects_continue = _body_headers(scope)
        if not chunked and not declared:
            await self.app(scope, receive, send)
            return
        received = 0
        finished = False  # the body's last message (or a disconnect) has been received
        asked = False  # receive() was called, so a 100-continue has gone out
        refusing = False

        async def tracking_receive() -> Message:
            nonlocal received, finished, asked
            asked = True
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
            else:
                finished = True
            return message

        async def closing_send(message: Message) -> None:
            nonlocal refusing
            if message["type"] == "http.response.start":
                refusing = message["status"] >= 400 and not finished
                if refusing:
                    message = {**message, "headers": [*message.get("headers", ()), _CLOSE]}
            elif refusing and not message.get("more_body", False):
                # Everything but the end of the response: the client can read the answer
                # while what it is still sending is drained.
                await send({**message, "more_body": True})
                if not (expects_continue and not asked):
                    await self._drain(tracking_receive, declared, received)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, tracking_receive, closing_send)

    async def _drain(self, receive: Receive, declared: int | None, received: int) -> None:
        if declared is not None and declared - received > self.drain_bytes:
            return  # more than we would ever read: close now
        drained = 0
        try:
            async with asyncio.timeout(self.drain_seconds):
                while drained <= self.drain_bytes:
                    message = await receive()
                    if message["type"] != "http.request":
                        return
                    drained += len(message.get("body", b""))
                    if not message.get("more_body", False):
                        return
        except TimeoutError:
            return


def _body_headers(scope: Scope) -> tuple[int | None, bool, bool]:
    """(Content-Length, chunked, Expect: 100-continue) of a request."""
    declared: int | None = None
    chunked = expects_continue = False
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            declared = int(value)
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"expect" and value.lower() == b"100-continue":
            expects_continue = True
    return declared, chunked, expects_continue
