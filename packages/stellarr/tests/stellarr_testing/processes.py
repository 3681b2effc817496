"""Servers the tests start as real processes: a free loopback port, a bounded wait for
readiness, and a stop that always happens. Shared by the e2e tests, DynamoDB Local and bench/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from stellarr.settings import KNOWN_VARIABLES

POLL_INTERVAL = 0.1


class NotReady(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen[Any], what: str, attempts: int = 600
) -> None:
    """Poll `ready` up to `attempts` times (POLL_INTERVAL apart) while `process` lives."""
    for _ in range(attempts):
        if process.poll() is not None:
            raise NotReady(f"{what} exited with {process.returncode}")
        if ready():
            return
        time.sleep(POLL_INTERVAL)
    raise NotReady(f"{what} did not become ready")


def answers(url: str) -> bool:
    """Any HTTP answer at all means the server is up."""
    try:
        httpx.get(url, timeout=1.0)
    except httpx.TransportError:
        return False
    return True


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def serve_env(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a `stellarr serve` of its own: this one's without any Stellarr
    setting, a SQLite file in `folder`, a fixed key and password, no .env; then `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in KNOWN_VARIABLES}
    env.update(
        {
            "DATABASE_PATH": str(folder / "data" / "stellarr.db"),
            "APP_SECRET_KEY": "serve-env-secret-key-" + "x" * 32,
            "PRESHARED_PASSWORD": "correct horse battery staple",
            "ENV_FILE": str(folder / "no.env"),
            **settings,
        }
    )
    return env


@contextmanager
def running_stellarr(
    env: Mapping[str, str],
    cwd: Path,
    output: IO[Any] | int = subprocess.DEVNULL,
    extra_args: tuple[str, ...] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """`stellarr serve` on a free 127.0.0.1 port; yields (base URL, process) once healthy.
    `preexec_fn` runs in the child before it starts (e.g. to lower its descriptor limit)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stellarr",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *extra_args,
        ],
        env=dict(env),
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec_fn,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{base}/api/health"), process, "stellarr serve")
        yield base, process
    finally:
        stop(process)
