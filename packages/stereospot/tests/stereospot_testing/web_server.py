"""The web app on a real 127.0.0.1 port: uvicorn in a thread with local worker threads
(for browser tests that tune the app), or `stereospot serve` as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from stereospot.bootstrap import App
from stereospot.converters import PassThrough
from stereospot.web.app import create_app
from stereospot.workers.roles import run_threads


class SlowPassThrough(PassThrough):
    """The pass-through converter, taking `seconds` per segment, so that a browser can
    watch a short clip's job move."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def convert(
        self, src: Path, dst: Path, params: Any, progress: Any = None, span: Any = None
    ) -> Any:
        for step in (25, 50, 75):
            time.sleep(self.seconds / 4)
            if progress:
                progress(step)
        time.sleep(self.seconds / 4)
        return super().convert(src, dst, params, progress, span)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, alive: Any = lambda: True, attempts: int = 300) -> None:
    """Poll /healthz up to `attempts` times, 0.1 s apart, while the server lives."""
    for _ in range(attempts):
        if not alive():
            raise RuntimeError(f"the server at {url} stopped while starting")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer /healthz after {attempts} tries")


@contextmanager
def serving(app: App, users: Mapping[str, str], video_workers: int = 1) -> Iterator[str]:
    """create_app(app.service) under uvicorn on a free port, with every worker role as threads of
    this process (so they use the app's own converter)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(app.service, users=users), host="127.0.0.1", port=port, log_level="warning",
        lifespan="off", timeout_graceful_shutdown=2,
    )  # fmt: skip
    server = uvicorn.Server(config)
    stop = threading.Event()
    workers = threading.Thread(
        target=run_threads,
        args=(app.local_workers(video_workers, processes=False), stop),
        daemon=True,
    )
    web = threading.Thread(target=server.run, daemon=True)
    workers.start()
    web.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, web.is_alive)
        yield url
    finally:
        server.should_exit = True
        stop.set()
        web.join(timeout=10)
        workers.join(timeout=10)


@contextmanager
def stereospot_serve(
    env: Mapping[str, str],
    cwd: Path,
    log: Path,
    errors: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[str]:
    """`stereospot serve` as a process on a free port; yields its URL once healthy. Its
    stdout and stderr go to `log`, or stderr to `errors` when that is given. `preexec_fn`
    runs in the child before it starts (e.g. to lower its descriptor limit)."""
    port = free_port()
    with ExitStack() as files:
        output = files.enter_context(log.open("wb"))
        stderr = files.enter_context(errors.open("wb")) if errors else subprocess.STDOUT
        process = subprocess.Popen(
            [sys.executable, "-m", "stereospot", "serve", "--port", str(port)],
            env={**os.environ, **env}, cwd=cwd, stdout=output, stderr=stderr,
            preexec_fn=preexec_fn,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, lambda: process.poll() is None, attempts=600)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
