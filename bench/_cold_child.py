"""One Lambda cold start, run in a fresh interpreter by bench/cold_start.py.

Prints one line per response: `<label> <seconds since interpreter start> <status>`.
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()

variant, token = sys.argv[1], sys.argv[2]
if variant == "boto3":
    # What the existing handler pays before its first request: boto3 and a DynamoDB client.
    import os

    import boto3

    boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])

from stellarr.lambda_handler import handler  # noqa: E402


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
print("health", time.perf_counter() - START, health["statusCode"], flush=True)
listed = handler(event("/api/requests", {"authorization": f"Bearer {token}"}), None)
count = len(json.loads(listed["body"])["requests"]) if listed["statusCode"] == 200 else -1
print("requests", time.perf_counter() - START, listed["statusCode"], count, flush=True)
