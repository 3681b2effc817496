"""Idle connections against a real `stereospot serve`: with 1,000 sockets open from one
client that never send a byte, does /healthz answer, and how fast?

Two server set-ups, each its own process (local backend, pass-through converter, local
workers): this machine's descriptor limit, and a limit of 256 descriptors (soft and hard),
as in the report that found the problem. For each, in one run:
- baseline: /healthz latency over a fresh connection with no idle sockets open, before the
  sockets and again after they are closed;
- 1,000 idle sockets, opened one after another from this process and held open;
- the first /healthz after them (status and latency), how long until one answers 200, and
  the latency of /healthz from then on, while this client still holds every socket;
- what became of the idle sockets: answered 503 at once (over the cap), closed by the
  server (the request-head timeout), or still open;
- the server's resident memory before and with the sockets open.

Usage, from the repository's root after `make install-bench`
(or `make bench-stereospot BENCH=idle_connections`):

    .venv/bin/python packages/stereospot/bench/idle_connections.py
        [--sockets 1000] [--samples 200] [--give-up 40]

Every request is a raw `GET /healthz` with `Connection: close` on a new connection (the same
in the baseline), so each figure includes the TCP connect.
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stereospot.server import HEADROOM
from stereospot_testing.idle_sockets import descriptor_limit, get, idle_sockets, status
from stereospot_testing.web_server import free_port

HEAD_TIMEOUT = 5.0  # the shipped default of STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS


@contextmanager
def serve(folder: Path, limit: Callable[[], None] | None) -> Iterator[tuple[str, int]]:
    """`stereospot serve` on a free port; yields (URL, pid) once /healthz answers 200."""
    port = free_port()
    env = {
        **os.environ,
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(folder / "data"),
        "STEREOSPOT_USERS": "",
        "STEREOSPOT_CONVERTER": "passthrough",
    }
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "stereospot", "serve", "--port", str(port)],
            env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if process.poll() is not None:
                    raise RuntimeError((folder / "serve.log").read_text())
                if status(get(url, "/healthz")) == 200:
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("stereospot serve did not answer /healthz")
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def health_ms(url: str, samples: int) -> float:
    """Median ms of `samples` health checks, each on a new connection; NaN as soon as one
    is not answered 200 (the server is not serving)."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        answer = get(url, "/healthz")
        times.append((time.perf_counter() - started) * 1000)
        if status(answer) != 200:
            return float("nan")
    return statistics.median(times)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def descriptors_of(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return line.split()[3]
    return "?"


def fates(sockets: list[socket.socket], wait: float) -> dict[str, int]:
    """Wait up to `wait` s for the server to end every socket, then count how each ended."""
    poller = select.poll()  # select.select stops at descriptor 1024
    pending = {sock.fileno(): sock for sock in sockets}
    for fd in pending:
        poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + wait
    ended: dict[int, socket.socket] = {}
    while len(ended) < len(pending) and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            ended[fd] = pending[fd]
            poller.unregister(fd)
    counts = {"503 at once": 0, "closed by the server": 0, "still open": len(pending) - len(ended)}
    for sock in ended.values():
        sock.setblocking(False)
        try:
            first = sock.recv(64)
        except (ConnectionResetError, BlockingIOError):
            first = b""
        counts["503 at once" if first.startswith(b"HTTP/1.1 503") else "closed by the server"] += 1
    return counts


def run(label: str, limit: Callable[[], None] | None, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp), limit) as (url, pid):
        descriptors = descriptors_of(pid)
        health_ms(url, 20)  # warm-up: first calls load routes and code
        baseline = health_ms(url, args.samples)
        memory_before = rss_mib(pid)
        with idle_sockets(url, args.sockets) as sockets:
            opened = time.perf_counter()
            started = time.perf_counter()
            first = status(get(url, "/healthz"))
            first_ms = (time.perf_counter() - started) * 1000
            memory_with = rss_mib(pid)
            seen = [first]
            while seen[-1] != 200 and time.perf_counter() - opened < args.give_up:
                time.sleep(0.01)  # a client retrying, not a second flood
                seen.append(status(get(url, "/healthz")))
            served_after = time.perf_counter() - opened
            during = health_ms(url, args.samples) if seen[-1] == 200 else float("nan")
            ended = fates(sockets, HEAD_TIMEOUT + 5)
        after = health_ms(url, args.samples)
    answered = f"{served_after:.2f} s" if seen[-1] == 200 else f"never in {args.give_up} s"
    statuses = ", ".join(sorted(set(map(str, seen))))
    rows = [
        (
            f"/healthz median ms of {args.samples}, no idle sockets: before, after",
            f"{baseline:.2f}, {after:.2f}",
        ),
        (f"first /healthz after {args.sockets} idle sockets", f"{first}, {first_ms:.2f} ms"),
        (f"time to the first 200 ({len(seen)} tries, statuses {statuses})", answered),
        (
            "/healthz median ms from then on, sockets still held; vs the baselines' mean",
            f"{during:.2f} ({during / statistics.mean((baseline, after)):.2f}x)",
        ),
        ("idle sockets: " + ", ".join(f"{k} {v}" for k, v in ended.items()), ""),
        ("server memory, MiB: before, with the sockets", f"{memory_before:.0f}, {memory_with:.0f}"),
    ]
    print(f"\n{label}: the server may open {descriptors} descriptors")
    print("| measure | figure |\n|---|---|")
    for measure, figure in rows:
        print(f"| {measure} | {figure} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--give-up", type=float, default=40.0)
    args = parser.parse_args()
    print(f"{args.sockets} idle sockets from one client; cap headroom {HEADROOM} descriptors")
    run("this machine's limit", None, args)
    run("a 256-descriptor limit", descriptor_limit(256), args)


if __name__ == "__main__":
    main()
