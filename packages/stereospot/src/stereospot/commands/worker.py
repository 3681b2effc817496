"""`stereospot worker --role media|video|reconciler`: one role (or several, `--role` given
again), for the distributed mode.

Logs are JSON lines on stderr. If any worker loop dies the process exits 1, so its
supervisor (ECS, systemd, docker) restarts it; SIGTERM stops it cleanly with 0. With
`--alive-file` the process touches that file while every loop runs: a container's health
check reads its age (a worker has no port to ask).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from stereospot import logs
from stereospot.bootstrap import build
from stereospot.errors import StereoSpotError
from stereospot.settings import Settings
from stereospot.workers.processes import PARENT_PID, stop_when_orphaned
from stereospot.workers.roles import ROLES, drain, run_threads


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser("worker", help="run one worker role")
    command.add_argument(
        "--role",
        choices=ROLES,
        action="append",
        required=True,
        help="a role to run; give it again for more (media and reconciler share a process)",
    )
    command.add_argument("--count", type=int, default=1, help="video role: parallel workers")
    command.add_argument("--drain", action="store_true", help="stop when the queues are empty")
    command.add_argument(
        "--alive-file",
        type=Path,
        help="touched every few seconds while every loop runs (container health checks)",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logs.configure()
    try:
        app = build(Settings.from_env())
    except StereoSpotError as exc:
        print(f"stereospot worker: {exc}", file=sys.stderr)
        return 2
    try:
        roles = list(dict.fromkeys(args.role))
        runnables = [r for role in roles for r in app.workers(role, args.count)]
        if args.drain:
            if "reconciler" in roles:
                app.workers("reconciler")[0].step()
            drain(runnables)
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        parent = os.environ.get(PARENT_PID)
        if parent:
            stop_when_orphaned(stop, int(parent))
        return run_threads(runnables, stop, alive_file=args.alive_file)
    finally:
        app.close()
