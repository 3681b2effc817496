"""What hostile bodies cost the web server: the resident memory of a real `stereospot serve`
process (web only, --no-workers) before and after each request, read from
/proc/<pid>/status (VmRSS now, VmHWM the peak since start).

1. Baseline: an ordinary logged-in POST /api/jobs (a few hundred bytes).
2. An anonymous POST /api/jobs declaring and sending 300 MiB (the hostile-load issue's
   case: before the fix the server read and parsed all of it).
3. The same, chunked (no Content-Length to refuse it by).
4. A logged-in POST /api/jobs declaring and sending 300 MiB.

The client sends every byte whatever the server answers, as an attacker would; the time
is from the first byte of the request to the answer's head.

Usage, from the repository's root after `make install-bench`:

    .venv/bin/python packages/stereospot/bench/hostile_bodies.py [--mib 300]

Run it once against another checkout's code by putting its src/ first:
`PYTHONPATH=/path/to/checkout/packages/stereospot/src .venv/bin/python ...`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

import stereospot

USERS = {"ann": "ann-token-0123456789abcdef"}
CHUNK = 64 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def post_everything(
    url: str, headers: dict[str, str], size: int, chunked: bool
) -> tuple[int, float]:
    """Send the whole body whatever the answer; (status, seconds to the answer's head)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80))
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    lines = ["POST /api/jobs HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in {**headers, **framing}.items()]
    started = time.perf_counter()
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    piece = b"[" * CHUNK
    frame = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n" if chunked else piece

    def write() -> None:
        try:
            for _ in range(size // CHUNK):
                sock.sendall(frame)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass

    writer = threading.Thread(target=write)
    writer.start()
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(65536)
        if not data:
            break
        received += data
    answered = time.perf_counter() - started
    writer.join()
    sock.close()
    status = int(received.split(b" ", 2)[1]) if received else 0
    return status, answered


def row(pid: int, label: str, request: Callable[[], tuple[int, float]]) -> None:
    before, _ = memory(pid)
    status, took = request()
    time.sleep(0.5)  # let the server finish with the connection
    after, peak = memory(pid)
    print(f"| {label} | {status} | {took * 1000:.0f} ms | {before:.0f} → {after:.0f} MiB | "
          f"{peak:.0f} MiB |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=300, help="hostile body size (MiB)")
    args = parser.parse_args()
    size = args.mib * 1024 * 1024
    load = Path("/proc/loadavg").read_text().split()[0]
    with tempfile.TemporaryDirectory(prefix="stereospot-bench-bodies-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "STEREOSPOT_BACKEND": "local",
            "STEREOSPOT_DATA_DIR": str(Path(tmp) / "data"),
            "STEREOSPOT_USERS": ",".join(f"{n}:{t}" for n, t in USERS.items()),
            "STEREOSPOT_CONVERTER": "passthrough",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "stereospot", "serve", "--no-workers", "--port", str(port)],
            env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=url) as client:
                client.post("/login", data={"name": "ann", "token": USERS["ann"]})
                csrf = re.search(r'name="csrf-token" content="([^"]*)"', client.get("/").text)
                assert csrf, "no CSRF token on the home page"
                cookie = "stereospot_session=" + client.cookies["stereospot_session"]
                writes = {"Cookie": cookie, "X-CSRF-Token": csrf[1]}
                where = Path(stereospot.__file__).parent
                print(
                    f"stereospot serve --no-workers, pid {server.pid}; load {load}; code: {where}"
                )
                print()
                print("| request | answer | time to answer | RSS before → after | peak RSS |")
                print("|---|---|---|---|---|")

                def ordinary() -> tuple[int, float]:
                    started = time.perf_counter()
                    answer = client.post("/api/jobs", json={"filename": "a.mp4"}, headers=writes)
                    return answer.status_code, time.perf_counter() - started

                row(server.pid, "ordinary logged-in POST /api/jobs", ordinary)
            cases = [
                (f"anonymous, {args.mib} MiB, Content-Length", {}, False),
                (f"anonymous, {args.mib} MiB, chunked", {}, True),
                (f"logged in, {args.mib} MiB, Content-Length", writes, False),
            ]
            for label, headers, chunked in cases:
                row(
                    server.pid, label, lambda h=headers, c=chunked: post_everything(url, h, size, c)
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
