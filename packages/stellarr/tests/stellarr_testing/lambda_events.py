"""Lambda Function URL events (payload format 2.0), shaped like the ones AWS sends."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

DOMAIN = "abcdefghijklmnop.lambda-url.eu-west-1.on.aws"


def function_url_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: object = None,
    source_ip: str = "203.0.113.9",
    base64_body: bool = False,
) -> dict[str, Any]:
    now = time.time()
    all_headers = {
        "host": DOMAIN,
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": source_ip,
        "x-amzn-trace-id": f"Root=1-{int(now):x}-{uuid.uuid4().hex[:24]}",
        "user-agent": "Stellarr-tests/1.0",
        "accept": "*/*",
    }
    raw_body: str | None = None
    if body is not None:
        raw_body = body if isinstance(body, str) else json.dumps(body)
        all_headers["content-type"] = "application/json"
        if base64_body:
            raw_body = base64.b64encode(raw_body.encode()).decode()
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": DOMAIN.split(".")[0],
            "domainName": DOMAIN,
            "domainPrefix": DOMAIN.split(".")[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": all_headers["user-agent"],
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            # AWS joins repeated parameters with commas.
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    if raw_body is not None:
        event["body"] = raw_body
    return event


def response_json(response: dict[str, Any]) -> Any:
    body = response.get("body", "")
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)
