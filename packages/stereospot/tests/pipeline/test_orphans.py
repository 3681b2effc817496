"""A video worker process never outlives the process that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from stereospot.settings import Settings
from stereospot.workers.processes import PARENT_PID

PARENT = textwrap.dedent(
    """
    import os, subprocess, sys
    child = subprocess.Popen(
        [sys.executable, "-m", "stereospot", "worker", "--role", "video"],
        env={**os.environ, "PARENT_PID_VARIABLE": str(os.getpid())},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    print(child.pid, flush=True)
    sys.stdin.readline()  # until the test says so, then die without stopping the child
    os._exit(0)
    """
).replace("PARENT_PID_VARIABLE", PARENT_PID)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone too: it only waits to be reaped by init.
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
    return "State:\tZ" not in status


def test_a_worker_whose_parent_dies_stops(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    env = {**os.environ, **settings.to_env()}
    with subprocess.Popen(
        [sys.executable, "-c", PARENT],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as parent:
        assert parent.stdout is not None and parent.stdin is not None
        child = int(parent.stdout.readline())
        try:
            assert alive(child)
            parent.stdin.write("go\n")
            parent.stdin.flush()
            parent.wait(timeout=10)
            for _ in range(200):  # bounded: 20 s at most; the watch checks twice a second
                if not alive(child):
                    break
                time.sleep(0.1)
            assert not alive(child), "the orphaned worker kept running"
        finally:
            if alive(child):
                os.kill(child, 9)
