"""One Lambda cold start, run in a fresh interpreter by bench/cold_start.py.

    python -S _cold_child.py ours|boto3|snapstart TOKEN

Prints one JSON object; times are seconds since this script started:
  init      the handler module is imported (with AWS_LAMBDA_INITIALIZATION_TYPE set, the app
            is built by then)
  ready     the request path starts: `init`, or for snapstart the moment the restore hooks
            start (what happened before the snapshot is not on any request's path)
  health    GET /api/health answered;  requests  authenticated GET /api/requests answered
"""

from __future__ import annotations

import json
import sys
import time
import types

START = time.perf_counter()

variant, token = sys.argv[1], sys.argv[2]
if variant == "boto3":
    # What the existing handler pays before its first request: boto3 and a DynamoDB client.
    import os

    import boto3

    boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])

hooks: dict[str, list[object]] = {"before": [], "after": []}
if variant == "snapstart":
    # Lambda's Python runtimes carry snapshot_restore_py; this stands in for it.
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = hooks["before"].append  # type: ignore[attr-defined]
    runtime.register_after_restore = hooks["after"].append  # type: ignore[attr-defined]
    sys.modules[runtime.__name__] = runtime

from stellarr.lambda_handler import handler  # noqa: E402

INIT = time.perf_counter() - START
for hook in reversed(hooks["before"]):
    hook()  # type: ignore[operator]
READY = time.perf_counter() - START if hooks["after"] else INIT
for hook in hooks["after"]:
    hook()  # type: ignore[operator]


def event(path: str, headers: dict[str, str]) -> dict[str, object]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "x.lambda-url.eu-west-1.on.aws", **headers},
        "requestContext": {
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "bench",
            },
            "domainName": "x.lambda-url.eu-west-1.on.aws",
            "stage": "$default",
            "requestId": "bench",
            "accountId": "anonymous",
            "apiId": "x",
        },
        "isBase64Encoded": False,
    }


health = handler(event("/api/health", {}), None)
HEALTH = time.perf_counter() - START
listed = handler(event("/api/requests", {"authorization": f"Bearer {token}"}), None)
REQUESTS = time.perf_counter() - START
count = len(json.loads(listed["body"])["requests"]) if listed["statusCode"] == 200 else -1
print(
    json.dumps(
        {
            "init": INIT,
            "ready": READY,
            "health": HEALTH,
            "requests": REQUESTS,
            "statuses": [health["statusCode"], listed["statusCode"]],
            "count": count,
        }
    ),
    flush=True,
)
