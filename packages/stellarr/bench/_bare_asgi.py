"""The transport ceiling for bench/webhooks.py: the least an ASGI app can do per request.

GET answers a small JSON object; POST reads the whole body, drops it and answers the same.
Served by Uvicorn exactly as `stellarr serve` is (httptools, uvloop when installed, no access
log, no server header), so GET vs POST here shows what reading a 200 KB upload costs before
any application code runs.

    .venv/bin/python packages/stellarr/bench/_bare_asgi.py --port 8123
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

ANSWER = b'{"status":"ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"15")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:  # drain the body, as a handler that reads it must
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        http="httptools",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
