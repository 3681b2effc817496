"""`stereospot models fetch NAME|URL`: download a depth model, checksum-verified and resumable."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DEFAULT_DIR = "models"


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser("models", help="manage depth models")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = actions.add_parser("fetch", help="download a model by name or URL")
    fetch.add_argument("source", metavar="NAME|URL")
    fetch.add_argument("--sha256", help="the file's SHA-256 (required when not pinned)")
    fetch.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("STEREOSPOT_MODEL_DIR", DEFAULT_DIR)),
        help="where models are kept (default: $STEREOSPOT_MODEL_DIR or ./models)",
    )
    fetch.add_argument("--quiet", action="store_true", help="no progress bar")
    fetch.set_defaults(handler=run_fetch)
    listing = actions.add_parser("list", help="the model names fetch knows")
    listing.set_defaults(handler=run_list)


def run_list(args: argparse.Namespace) -> int:
    from stereospot.engine.fetch import KNOWN

    for name, known in sorted(KNOWN.items()):
        print(f"{name}\t{known.url}\tsha256={known.sha256 or 'not pinned'}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    import httpx

    from stereospot.engine.fetch import KNOWN, FetchError, fetch, text_progress

    source: str = args.source
    if source in KNOWN:
        known = KNOWN[source]
        url, filename, sha256 = known.url, known.filename, args.sha256 or known.sha256
    elif urlparse(source).scheme in ("http", "https"):
        url, filename, sha256 = source, Path(urlparse(source).path).name or "model", args.sha256
    else:
        names = ", ".join(sorted(KNOWN))
        print(f"stereospot: unknown model {source!r}: a URL, or one of {names}", file=sys.stderr)
        return 2
    if not sha256:
        print(f"stereospot: no checksum known for {source}: pass --sha256", file=sys.stderr)
        return 2
    progress = None if args.quiet else text_progress()
    try:
        with httpx.Client(follow_redirects=True, timeout=60) as client:
            path = fetch(url, args.dir / filename, sha256, client=client, progress=progress)
    except FetchError as exc:
        print(f"stereospot: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
