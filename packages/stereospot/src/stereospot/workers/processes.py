"""Video workers as child processes (`stereospot worker --role video`) sharing this
process's settings. PyAV holds the GIL while it decodes and encodes, so threads do not
convert two segments at once; processes do (bench/pipeline.py measures it).
The local backend is safe across processes (SQLite WAL, atomic renames in the folder)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass

from stereospot.logs import event
from stereospot.settings import Settings

log = logging.getLogger("stereospot.worker")
PARENT_PID = "STEREOSPOT_PARENT_PID"
ORPHAN_CHECK_SECONDS = 0.5


def stop_when_orphaned(stop: threading.Event, parent: int) -> None:
    """Set `stop` once `parent` is no longer this process's parent."""

    def watch() -> None:
        while not stop.wait(ORPHAN_CHECK_SECONDS):
            if os.getppid() != parent:
                event(log, "parent process gone; stopping", parent=parent)
                stop.set()

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class WorkerProcessDied(RuntimeError):
    """A child worker exited on its own; the parent stops too, to be restarted whole."""


@dataclass
class VideoProcesses:
    settings: Settings
    count: int
    quiet: bool = False  # the CLI's progress bar owns the terminal
    name: str = "video-processes"

    def step(self, wait: float = 0) -> bool:
        return False

    def run(self, stop: threading.Event, drain: bool = False) -> None:
        # The children watch this pid: if this process dies without stopping them (killed,
        # or its daemon threads cut off at exit), they stop instead of living on as orphans.
        env = {**os.environ, **self.settings.to_env(), PARENT_PID: str(os.getpid())}
        command = [sys.executable, "-m", "stereospot", "worker", "--role", "video"]
        output = subprocess.DEVNULL if self.quiet else None
        children = [
            subprocess.Popen(command, env=env, stdout=output, stderr=output)  # noqa: S603
            for _ in range(self.count)
        ]
        event(log, "video processes started", pids=[c.pid for c in children])
        try:
            while not stop.wait(0.2):
                for child in children:
                    if child.poll() is not None:
                        raise WorkerProcessDied(
                            f"video worker {child.pid} exited {child.returncode}"
                        )
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
