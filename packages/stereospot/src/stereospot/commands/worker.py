"""`stereospot worker --role media|video|reconciler`: one role, for the distributed mode.

Logs are JSON lines on stderr. If any worker loop dies the process exits 1, so its
supervisor (ECS, systemd, docker) restarts it; SIGTERM stops it cleanly with 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from stereospot import logs
from stereospot.bootstrap import build
from stereospot.errors import StereoSpotError
from stereospot.settings import Settings
from stereospot.workers.processes import PARENT_PID, stop_when_orphaned
from stereospot.workers.roles import ROLES, drain, run_threads


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser("worker", help="run one worker role")
    command.add_argument("--role", choices=ROLES, required=True)
    command.add_argument("--count", type=int, default=1, help="video role: parallel workers")
    command.add_argument("--drain", action="store_true", help="stop when the queues are empty")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logs.configure()
    try:
        app = build(Settings.from_env())
    except StereoSpotError as exc:
        print(f"stereospot worker: {exc}", file=sys.stderr)
        return 2
    try:
        runnables = app.workers(args.role, args.count)
        if args.drain:
            if args.role == "reconciler":
                runnables[0].step()
            else:
                drain(runnables)
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        parent = os.environ.get(PARENT_PID)
        if parent:
            stop_when_orphaned(stop, int(parent))
        return run_threads(runnables, stop)
    finally:
        app.close()
