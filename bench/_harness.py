"""Shared bench plumbing: a real `stellarr serve` process, a load generator, statistics."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from stellarr.domain.models import MediaRequest, MediaType
from stellarr.store.base import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "stellarr" / "tests"))

from stellarr_testing.processes import running_stellarr  # noqa: E402  (needs the path above)


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


async def populate(store: Store, requests: int, library: int, concurrency: int = 16) -> None:
    """Pending requests (two thirds movies) and library ids, through the Store port."""
    await store.open()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = iter(range(1, requests + 1))

    async def worker() -> None:
        for i in ids:
            await store.add_request(sample_request(i, start))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if library:
        await store.replace_library(MediaType.MOVIE, range(1, library // 2 + 1))
        await store.replace_library(MediaType.TV, range(1, library - library // 2 + 1))
    await store.close()


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


def wrk_rps(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(out)
    return float(match.group(1))


async def _python_rps(host: str, port: int, path: str, seconds: float, connections: int) -> float:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
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


def requests_per_second(url: str, seconds: int = 5, connections: int = 8) -> tuple[float, str]:
    """Throughput of GET url over keep-alive connections: wrk when installed, else asyncio."""
    if shutil.which("wrk"):
        return wrk_rps(url, seconds, connections), "wrk"
    parts = httpx.URL(url)
    path = parts.raw_path.decode()
    rps = asyncio.run(_python_rps(parts.host, parts.port or 80, path, seconds, connections))
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
