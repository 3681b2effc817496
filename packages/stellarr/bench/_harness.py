"""Shared bench plumbing: a real `stellarr serve` process, nginx as a yardstick, a load
generator, statistics."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from stellarr.domain.models import MediaRequest, MediaType
from stellarr.store.ports import Stores
from stellarr_testing.processes import (
    answers,
    free_port,
    running_stellarr,
    stop,
    wait_until,
)


def sample_request(i: int, start: datetime) -> MediaRequest:
    media = MediaType.MOVIE if i % 3 else MediaType.TV
    return MediaRequest(
        media_type=media,
        tmdb_id=i,
        title=f"Requested title number {i}",
        year=1950 + i % 75,
        overview="An overview long enough to look like TMDB's. " * 3,
        poster_path=f"/{i * 2654435761 % 2**64:016x}.jpg",
        imdb_id=f"tt{i + 1000000}",
        tvdb_id=300000 + i if media is MediaType.TV else None,
        requested_by=f"user{i % 17}",
        requested_at=start + timedelta(minutes=i),
    )


async def populate(stores: Stores, requests: int, library: int, concurrency: int = 16) -> None:
    """Pending requests (two thirds movies) and library ids, through the MediaStore port."""
    await stores.database.open()
    store = stores.media
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = iter(range(1, requests + 1))

    async def worker() -> None:
        for i in ids:
            await store.add_request(sample_request(i, start))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if library:
        await store.replace_library(MediaType.MOVIE, range(1, library // 2 + 1))
        await store.replace_library(MediaType.TV, range(1, library - library // 2 + 1))
    await stores.database.close()


def dynamodb_local_env(endpoint: str, table: str) -> dict[str, str]:
    """Environment that points `stellarr` at a DynamoDB Local table."""
    return {
        "STORE": "dynamodb",
        "DYNAMODB_TABLE": table,
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
    }


@contextmanager
def stellarr_server(env: Mapping[str, str], cwd: Path) -> Iterator[str]:
    full_env = {**os.environ, **env, "LOG_LEVEL": "WARNING"}
    with running_stellarr(full_env, cwd, extra_args=("--no-access-log",)) as (base, _):
        yield base


NGINX_CONF = """\
daemon off;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/json json; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    gzip_static on;
    gzip_vary on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


@contextmanager
def nginx_server(files: Mapping[str, bytes], workers: str = "1") -> Iterator[str]:
    """nginx serving `files` (name -> bytes) from a temporary root on a free 127.0.0.1 port.

    `workers` is nginx's worker_processes: 1 to match Stellarr's one Uvicorn worker, "auto"
    for nginx's stock setting (one per core). A `NAME.gz` next to `NAME` is served to clients
    that accept gzip (gzip_static). nginx runs in the foreground from a generated config; its
    pid, logs and temp folders live in the temporary folder, and it is always stopped on the
    way out.
    """
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    with tempfile.TemporaryDirectory(prefix="stellarr-nginx-") as tmp:
        folder = Path(tmp)
        # Run as root, nginx's worker drops to `nobody`, which must be able to read the files.
        folder.chmod(0o755)
        root = folder / "root"
        root.mkdir(mode=0o755)
        for name, body in files.items():
            (root / name).write_bytes(body)
            (root / name).chmod(0o644)
        port = free_port()
        conf = folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=folder, root=root, port=port, workers=workers))
        log = (folder / "stderr.log").open("wb")
        # -e: the log nginx writes before reading the config; -p: the prefix for relative paths.
        process = subprocess.Popen(
            [nginx, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(conf)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until(lambda: answers(f"{base}/"), process, "nginx", attempts=100)
            except Exception:
                log.flush()
                errors = [folder / "stderr.log", folder / "error.log"]
                print(*(p.read_text() for p in errors if p.is_file()), file=sys.stderr)
                raise
            yield base
        finally:
            stop(process)
            log.close()


def wrk_rps(
    url: str,
    seconds: int,
    connections: int,
    headers: Mapping[str, str] | None = None,
    script: Path | None = None,
) -> float:
    """Requests/sec under wrk; `script`: a wrk Lua script (a POST body, say)."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    if script is not None:
        extra += ["-s", str(script)]
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses under load")
    return float(match.group(1))


async def _python_rps(
    host: str,
    port: int,
    path: str,
    seconds: float,
    connections: int,
    headers: Mapping[str, str],
) -> float:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{lines}\r\n".encode()
    done = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        while time.monotonic() < stop:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            done += 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return done / seconds


def requests_per_second(
    url: str,
    seconds: int = 5,
    connections: int = 8,
    headers: Mapping[str, str] | None = None,
) -> tuple[float, str]:
    """Throughput of GET url over keep-alive connections: wrk when installed, else asyncio."""
    if shutil.which("wrk"):
        return wrk_rps(url, seconds, connections, headers), "wrk"
    parts = httpx.URL(url)
    path = parts.raw_path.decode()
    rps = asyncio.run(
        _python_rps(parts.host, parts.port or 80, path, seconds, connections, headers or {})
    )
    return rps, "asyncio client"


def latency_ms(
    client: httpx.Client, method: str, url: str, n: int, **kw: object
) -> dict[str, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.request(method, url, **kw)  # type: ignore[arg-type]
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status() if response.status_code != 304 else None
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "status": float(response.status_code),
    }


def raw_get(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[str, bytes]:
    """(Content-Encoding, body) as sent: httpx would otherwise undo the content coding."""
    with client.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        body = b"".join(response.iter_raw())
        return response.headers.get("content-encoding", "identity"), body


def best_of(
    rounds: int, targets: dict[str, tuple[str, dict[str, str]]], seconds: int, connections: int
) -> tuple[dict[str, float], str]:
    """Best requests/s per named (url, headers). Each round runs every target once, in turn,
    so drift on a shared machine hits all of them alike."""
    best: dict[str, float] = {}
    tool = ""
    for _ in range(rounds):
        for name, (url, headers) in targets.items():
            rps, tool = requests_per_second(url, seconds, connections, headers)
            best[name] = max(best.get(name, 0.0), rps)
    return best, tool
