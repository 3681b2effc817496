"""`stereospot models list|fetch|verify`: depth models from the Hugging Face Hub, pinned.

The transfer, its resume and the hub's checksums are huggingface_hub's; the pins (the
commit and SHA-256 of each model) are in the model folder's models.lock.json, written by
the first fetch and checked by every later fetch and by `verify` (engine.fetch).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_DIR = "models"


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser("models", help="manage depth models")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")
    folder = argparse.ArgumentParser(add_help=False)
    folder.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("STEREOSPOT_MODEL_DIR", DEFAULT_DIR)),
        help="where models are kept (default: $STEREOSPOT_MODEL_DIR or ./models)",
    )
    fetch = actions.add_parser(
        "fetch", parents=[folder], help="download a model and pin it in the lock file"
    )
    fetch.add_argument("name", metavar="NAME", help="one of the names `models list` shows")
    fetch.add_argument(
        "--revision",
        help="a branch, tag or commit to pin instead of the lock file's (or main, at first)",
    )
    fetch.add_argument("--quiet", action="store_true", help="no progress bar")
    fetch.set_defaults(handler=run_fetch)
    listing = actions.add_parser(
        "list", parents=[folder], help="the models fetch knows, and which are installed"
    )
    listing.set_defaults(handler=run_list)
    check = actions.add_parser(
        "verify", parents=[folder], help="check installed models against the lock file"
    )
    check.add_argument("names", nargs="*", metavar="NAME", help="default: every pinned model")
    check.set_defaults(handler=run_verify)


def run_list(args: argparse.Namespace) -> int:
    from stereospot.engine.fetch import KNOWN, FetchError, read_lock

    try:
        pins = read_lock(args.dir)
    except FetchError as exc:
        print(f"stereospot models: {exc}", file=sys.stderr)
        return 1
    for name, known in sorted(KNOWN.items()):
        pin = pins.get(name)
        installed = (args.dir / known.installed_as(name)).exists()
        state = (
            f"installed, pinned to {pin.revision[:12]}"
            if installed and pin
            else "installed, not pinned"
            if installed
            else "not installed"
        )
        print(f"{name}\t{known.repo_id}/{known.filename}\t{known.license}\t{state}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from stereospot.engine.fetch import KNOWN, FetchError, fetch_model

    if args.name not in KNOWN:
        names = ", ".join(sorted(KNOWN))
        print(f"stereospot models: unknown model {args.name!r}: one of {names}", file=sys.stderr)
        return 2
    try:
        fetched = fetch_model(args.name, args.dir, revision=args.revision, progress=not args.quiet)
    except FetchError as exc:
        print(f"stereospot models: {exc}", file=sys.stderr)
        return 1
    pin = fetched.pin
    if fetched.repinned_from:
        print(
            f"stereospot models: {args.name} re-pinned from {fetched.repinned_from[:12]} "
            f"to {pin.revision[:12]} (--revision {args.revision})",
            file=sys.stderr,
        )
    print(f"{fetched.path}\t{pin.repo_id}@{pin.revision}\tsha256={pin.sha256}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from stereospot.engine.fetch import FetchError, verify

    try:
        verdicts = verify(args.dir, args.names or None)
    except FetchError as exc:
        print(f"stereospot models: {exc}", file=sys.stderr)
        return 1
    if not verdicts:
        print(f"stereospot models: nothing pinned in {args.dir}", file=sys.stderr)
        return 1
    for verdict in verdicts:
        print(f"{verdict.name}\t{'ok' if verdict.ok else 'FAILED'}\t{verdict.detail}")
    return 0 if all(v.ok for v in verdicts) else 1
