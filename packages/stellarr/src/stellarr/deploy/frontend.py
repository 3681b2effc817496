"""The frontend half of `stellarr deploy`: the web app's build (`make web`) into its bucket,
then one CloudFront invalidation.

Content-hashed files (`_app/immutable/`) are cached for a year and never revalidated;
everything else (index.html, the service worker, the manifest, `_app/version.json`) is
`no-cache`, so a deploy reaches every browser on its next load. Hashed files go first and
index.html last, so no browser gets an index.html naming files not there yet. The build's
`.gz` copies (what `stellarr serve` sends itself) stay out: CloudFront compresses. Swagger
UI, which the Lambda package leaves out, goes under /api-docs/ for the API docs page.
A file whose object already holds the same bytes (its ETag, an MD5) is not uploaded again;
old hashed files stay for open tabs that still load the build they started with.
"""

from __future__ import annotations

import hashlib
import mimetypes
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from stellarr.deploy.outputs import TerraformOutputs, UsageError

IMMUTABLE_PREFIX = "_app/immutable/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SKIPPED_SUFFIXES = (".gz", ".br")
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
INVALIDATED = ["/*"]

Say = Callable[[str], None]


def cache_control(key: str) -> str:
    return IMMUTABLE if key.startswith(IMMUTABLE_PREFIX) else REVALIDATE


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    guessed = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0]
    return guessed or "application/octet-stream"


def _order(key: str) -> tuple[int, str]:
    if key.startswith(IMMUTABLE_PREFIX):
        return 0, key
    return (2 if key == "index.html" else 1), key


def files(web_dir: Path) -> Iterator[tuple[str, Path]]:
    """(key, file) for everything the bucket gets, in upload order."""
    from stellarr.api.web import FRONTEND_DOCS_ASSETS, SWAGGER_UI, SWAGGER_UI_FILES

    if not (web_dir / "index.html").is_file():
        raise UsageError(f"{web_dir} holds no web app build (index.html): run `make web`")
    found = {
        path.relative_to(web_dir).as_posix(): path
        for path in web_dir.rglob("*")
        if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES)
    }
    for name in SWAGGER_UI_FILES:
        found[f"{FRONTEND_DOCS_ASSETS.strip('/')}/{name}"] = SWAGGER_UI / name
    for key in sorted(found, key=_order):
        yield key, found[key]


def _existing(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = item["ETag"].strip('"')
    return etags


def sync(s3: Any, outputs: TerraformOutputs, web_dir: Path, say: Say) -> int:
    """Upload what changed; returns how many files were uploaded."""
    bucket = outputs.frontend_bucket_name
    existing = _existing(s3, bucket)
    uploaded = {IMMUTABLE: 0, REVALIDATE: 0}
    unchanged = 0
    for key, path in files(web_dir):
        body = path.read_bytes()
        if existing.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            unchanged += 1
            continue
        control = cache_control(key)
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=control
        )
        uploaded[control] += 1
    say(
        f"web app: uploaded {uploaded[IMMUTABLE]} hashed files ({IMMUTABLE}) and "
        f"{uploaded[REVALIDATE]} others ({REVALIDATE}) to s3://{bucket}; {unchanged} unchanged"
    )
    return sum(uploaded.values())


def invalidate(cloudfront: Any, outputs: TerraformOutputs, say: Say) -> str | None:
    if not outputs.cloudfront_distribution_id:
        say("no CloudFront distribution (enable_edge = false): nothing to invalidate")
        return None
    answer = cloudfront.create_invalidation(
        DistributionId=outputs.cloudfront_distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(INVALIDATED), "Items": INVALIDATED},
            "CallerReference": f"stellarr-deploy-{time.time_ns()}",
        },
    )
    invalidation: str = answer["Invalidation"]["Id"]
    say(
        f"CloudFront {outputs.cloudfront_distribution_id}: invalidation {invalidation} "
        f"of {', '.join(INVALIDATED)}"
    )
    return invalidation


def plan_frontend(outputs: TerraformOutputs, web_dir: Path, built: bool, say: Say) -> None:
    if not built:
        say(f"would build the web app (make web) into {web_dir}")
    say(
        f"would upload {web_dir} to s3://{outputs.frontend_bucket_name}: "
        f"{IMMUTABLE_PREFIX}* with `{IMMUTABLE}`, the rest (index.html last) with "
        f"`{REVALIDATE}`, no .gz copies; Swagger UI under /api-docs/"
    )
    distribution = outputs.cloudfront_distribution_id
    if distribution:
        say(f"would invalidate {', '.join(INVALIDATED)} on CloudFront {distribution}")
    else:
        say("no CloudFront distribution (enable_edge = false): nothing to invalidate")
