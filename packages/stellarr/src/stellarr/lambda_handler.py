"""AWS Lambda entry point: the same app as `stellarr serve`, behind Mangum.

Nothing is built at import: the first invocation builds the app (FastAPI, the store, the
settings source), and later invocations on the same warm instance reuse it. Function URL
(payload 2.0) events carry the caller in requestContext.http.sourceIp, which Mangum passes
on as the ASGI client; behind CloudFront, TRUSTED_PROXIES decides which X-Forwarded-For hop
is the real client, exactly as for `stellarr serve` behind Caddy.
"""

from __future__ import annotations

import os
from typing import Any

_asgi_handler: Any = None


def _build() -> Any:
    from mangum import Mangum

    from stellarr.bootstrap import app_from_environment

    return Mangum(app_from_environment(os.environ), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _asgi_handler
    if _asgi_handler is None:
        _asgi_handler = _build()
    response: dict[str, Any] = _asgi_handler(event, context)
    return response
