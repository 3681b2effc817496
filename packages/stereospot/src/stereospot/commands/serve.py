"""`stereospot serve`: the web UI (stereospot.web.app.create_app) with local workers.

The web app receives the composition root's `App` (stereospot.bootstrap): its `service`
is the whole API it needs. The workers run as threads of this process unless
--no-workers (for a fleet where they run as `stereospot worker`). Once listening it
prints the address and how to log in (stereospot.web.announce).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import threading
from typing import Any

from stereospot import logs
from stereospot.bootstrap import build
from stereospot.errors import StereoSpotError
from stereospot.settings import Settings
from stereospot.workers.roles import run_threads


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="web UI and local workers"
    )
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)
    command.add_argument("--no-workers", action="store_true", help="serve only")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        web = importlib.import_module("stereospot.web.app")
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.startswith("stereospot.web"):
            print(
                "stereospot serve: the web UI (stereospot.web.app) is not installed yet",
                file=sys.stderr,
            )
            return 2
        raise
    from stereospot.server import config, prepare
    from stereospot.web.announce import AnnouncingServer, address, login_lines
    from stereospot.web.auth import LOCAL_USER, local_token_file

    logs.configure()
    try:
        app = build(Settings.from_env())
    except StereoSpotError as exc:
        print(f"stereospot serve: {exc}", file=sys.stderr)
        return 2
    try:
        asgi = web.create_app(app.service)  # makes the token file on a first start
    except StereoSpotError as exc:
        app.close()
        print(f"stereospot serve: {exc}", file=sys.stderr)
        return 2
    url = address(args.host, args.port)
    lines = login_lines(url, LOCAL_USER, local_token_file(app.settings))
    # Before the port opens: the connection cap is sized from the raised descriptor limit.
    guard = prepare(app.settings.request_head_timeout, app.settings.max_connections)
    server = AnnouncingServer(config(asgi, guard, host=args.host, port=args.port), lines)
    stop = threading.Event()
    runner = None
    if not args.no_workers:
        runner = threading.Thread(target=run_threads, args=(app.local_workers(), stop), daemon=True)
        runner.start()
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how one stops it
            server.run()
    finally:
        stop.set()
        if runner is not None:
            runner.join(timeout=30)
        app.close()
    return 0 if server.started else 1
