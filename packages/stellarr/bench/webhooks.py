"""Plex webhooks and library sync, through a real `stellarr serve` process on SQLite.

Reports, each against a baseline measured in the same run:
- ignored Plex events (`media.play`, multipart with a 200 KB JPEG-like thumb) req/s against
  `/api/health` on the same server, both under the same wrk load; the store's revision is
  read from the file before and after to prove the ignored path never wrote to it. Beside
  it, the same event without a thumb, and the ceiling: a bare ASGI app (bench/_bare_asgi.py)
  on the same Uvicorn setup draining the same 200 KB POST, against the same `/api/health`
  (the best ratio any handler could reach with that upload) and against its own GET; and the
  app's own time per ignored event against per `/api/health`, both called in-process without
  a socket (bench/_asgi_calls.py), which is what is left once the upload is taken away;
- `library.new` events that each match a different pending request: req/s and p50/p99
  latency, against `/api/health` driven by the same client at the same concurrency;
- a hostile sync body: `[{},{},...]` in 31 MiB with the right token, which the item cap
  refuses: the server's peak memory (VmHWM) after it against before it, and the time to the
  answer against one `/api/health`;
- strangers' bodies: 60 connections each sending 10 MiB (all but its last KiB) to the webhook
  with a wrong token, held open; the server's resident memory (VmRSS) against the same
  process just before, which shows whether it holds bodies it will refuse;
- `/sync/library` of 50,000 items with `clear=true` into an emptied library: wall time
  against a bare `executemany` of the same rows into a fresh SQLite table (one
  transaction); a re-sync of the unchanged library (what a scheduled plex-sync mostly
  sends) against the same baseline; and the same sync on DynamoDB Local beside it
  (`--no-dynamodb` skips that part).

    .venv/bin/python packages/stellarr/bench/webhooks.py
        [--matches 2000] [--sync 50000] [--seconds 4]

`--against SRC` measures the ignored events and the sync only, paired: two servers side by
side, this tree's and one importing `stellarr` from SRC (another copy of `src/`, say the
commit before a change), alternating between them for `--rounds` rounds. Each round runs, on
each server, `/api/health` then the ignored event under wrk, and a `clear=true` sync of
`--sync` items into an emptied library then again unchanged (all the load rounds first,
then all the syncs); it prints each server's ratio per round with the median, and the
fastest syncs, so drift on a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from _asgi_calls import per_call_us, request_scope
from _harness import (
    dynamodb_local_env,
    populate,
    requests_per_second,
    stellarr_server,
    wrk_rps,
)

from stellarr.bootstrap import app_from_environment
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.dynamodb_local import dynamodb_local, make_dynamodb_stores
from stellarr_testing.fake_tmdb import API_KEY, running_fake_tmdb
from stellarr_testing.processes import answers, free_port, running_stellarr, stop, wait_until

TOKEN = "bench-webhook-token-0123456789"
BOUNDARY = "------------------------bench0123456789"


def multipart(payload: dict[str, object], thumb: bytes | None) -> bytes:
    """The shape Plex sends: a `payload` JSON field and, for items with art, a binary
    `thumb` file part."""
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="payload"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(payload)}\r\n"
    ).encode()
    if thumb is None:
        return head + f"--{BOUNDARY}--\r\n".encode()
    part = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="thumb"; filename="thumb.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + part + thumb + f"\r\n--{BOUNDARY}--\r\n".encode()


def play_event() -> dict[str, object]:
    return {
        "event": "media.play",
        "user": True,
        "owner": True,
        "Account": {"id": 1, "title": "bench"},
        "Server": {"title": "Bench Plex", "uuid": "bench-uuid"},
        "Player": {"local": True, "title": "Living room", "uuid": "player-1"},
        "Metadata": {
            "librarySectionType": "movie",
            "type": "movie",
            "title": "Requested title number 1",
            "year": 1951,
            "guid": "plex://movie/5d776a24cbf1f1001f592899",
            "Guid": [{"id": "tmdb://1"}, {"id": "imdb://tt1000001"}],
        },
    }


def new_movie_event(tmdb_id: int) -> dict[str, object]:
    event = play_event()
    event["event"] = "library.new"
    event["Metadata"] = {
        "librarySectionType": "movie",
        "type": "movie",
        "title": f"Requested title number {tmdb_id}",
        "year": 1950 + tmdb_id % 75,
        "guid": f"plex://movie/{tmdb_id:024x}",
        "Guid": [{"id": f"tmdb://{tmdb_id}"}, {"id": f"imdb://tt{tmdb_id + 1000000}"}],
    }
    return event


def wrk_post_rps(url: str, body: bytes, content_type: str, seconds: int, connections: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        body_file = Path(tmp) / "body"
        body_file.write_bytes(body)
        script = Path(tmp) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f'wrk.headers["Content-Type"] = "{content_type}"\n'
            f'local f = io.open("{body_file}", "rb")\n'
            "wrk.body = f:read('*all')\n"
            "f:close()\n"
        )
        return wrk_rps(url, seconds, connections, script=script)


async def app_times(env: dict[str, str], body: bytes, content_type: str) -> tuple[float, float]:
    """(ignored event, /api/health) microseconds of the app's own time: the same app built
    in this process and called without a socket, the body in 64 KB chunks as Uvicorn hands
    it over."""
    app = app_from_environment({**os.environ, **env})
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    hook = request_scope(
        "POST",
        "/webhook/plex",
        f"token={TOKEN}".encode(),
        [(b"content-type", content_type.encode())],
    )
    async with app.router.lifespan_context(app):
        ignored = await per_call_us(app, hook, chunks)
        health = await per_call_us(app, request_scope("GET", "/api/health"))
    return ignored, health


def revision(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])


async def timed_posts(
    base: str, requests: list[tuple[str, bytes, str]], concurrency: int
) -> tuple[float, list[float]]:
    """(req/s, per-request ms) of POSTs sent by `concurrency` keep-alive clients."""
    queue = iter(requests)
    samples: list[float] = []

    async def worker(client: httpx.AsyncClient) -> None:
        for path, body, content_type in queue:
            start = time.perf_counter()
            if body:
                response = await client.post(
                    path, content=body, headers={"content-type": content_type}
                )
            else:
                response = await client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(requests) / elapsed, samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def sync_body(n: int) -> bytes:
    return json.dumps(
        [
            {"tmdb_id": i, "imdb_id": f"tt{i + 5000000}", "title": f"Film {i}"}
            for i in range(1, n + 1)
        ]
    ).encode()


def bare_executemany(folder: Path, n: int) -> float:
    """The floor: the same rows into SQLite in one transaction, no HTTP, no validation;
    same table and the store's journal settings (WAL, synchronous=NORMAL)."""
    path = folder / f"bare-{uuid.uuid4().hex}.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE library (media_type TEXT NOT NULL, tmdb_id INTEGER NOT NULL, "
        "PRIMARY KEY (media_type, tmdb_id)) WITHOUT ROWID"
    )
    rows = [("movie", i) for i in range(1, n + 1)]
    started = time.perf_counter()
    with conn:
        conn.execute("DELETE FROM library WHERE media_type = 'movie'")
        conn.executemany("INSERT INTO library (media_type, tmdb_id) VALUES (?, ?)", rows)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


@contextmanager
def bare_asgi_server(cwd: Path) -> Iterator[str]:
    """bench/_bare_asgi.py on a free port: the transport ceiling."""
    port = free_port()
    script = Path(__file__).with_name("_bare_asgi.py")
    process = subprocess.Popen(
        [sys.executable, str(script), "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{base}/"), process, "bare ASGI app")
        yield base
    finally:
        stop(process)


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak so far (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith(f"{field}:"))
    return int(line.split()[1]) / 1024


def hostile_sync(base: str, pid: int) -> tuple[float, float, float, float]:
    """(peak MiB before, peak MiB after, seconds to the answer, seconds for /api/health)."""
    body = b"[" + b"{}," * (31 * 1024 * 1024 // 3) + b"{}]"
    before = rss_mib(pid, "VmHWM")
    started = time.perf_counter()
    answer = httpx.post(
        f"{base}/sync/library",
        params={"media_type": "movie", "clear": "true", "token": TOKEN},
        content=body,
        headers={"content-type": "application/json"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code == 422, answer.text
    started = time.perf_counter()
    httpx.get(f"{base}/api/health").raise_for_status()
    return before, rss_mib(pid, "VmHWM"), elapsed, time.perf_counter() - started


def held_stranger_bodies(base: str, pid: int, connections: int = 60) -> tuple[float, float]:
    """(MiB resident before, MiB with `connections` wrong-token 10 MiB bodies held open)."""
    host, port = base.removeprefix("http://").split(":")
    size = 10 * 1024 * 1024
    head = (
        f"POST /webhook/plex?token=wrong HTTP/1.1\r\nHost: bench\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    body = b"x" * (size - 1024)  # the last KiB never comes: the server waits for it
    before = rss_mib(pid)
    sockets = []
    try:
        for _ in range(connections):
            sock = socket.create_connection((host, int(port)), timeout=60)
            sockets.append(sock)
            sock.sendall(head)
            sock.sendall(body)
        time.sleep(1)  # let the server take in the last bytes sent
        held = rss_mib(pid)
    finally:
        for sock in sockets:
            sock.close()
    return before, held


def timed_sync(base: str, body: bytes) -> float:
    started = time.perf_counter()
    response = httpx.post(
        f"{base}/sync/library",
        params={"media_type": "movie", "clear": "true", "token": TOKEN},
        content=body,
        headers={"content-type": "application/json"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def paired(against: Path, rounds: int, seconds: int, connections: int, sync: int) -> None:
    body = multipart(play_event(), os.urandom(200 * 1024))
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    items = sync_body(sync)
    sources = {"this tree": None, str(against): against}
    ratios: dict[str, list[float]] = {name: [] for name in sources}
    syncs: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        bases = {}
        for name, source in sources.items():
            folder = Path(tmp) / uuid.uuid4().hex
            folder.mkdir()
            env = {
                **os.environ,
                "DATABASE_PATH": str(folder / "stellarr.db"),
                "APP_SECRET_KEY": "w" * 48,
                "PRESHARED_PASSWORD": "bench password 123",
                "PLEX_WEBHOOK_TOKEN": TOKEN,
                "LOG_LEVEL": "WARNING",
            }
            env.pop("PYTHONPATH", None)
            if source is not None:
                env["PYTHONPATH"] = str(source)
            serving = running_stellarr(env, folder, extra_args=("--no-access-log",))
            bases[name] = servers.enter_context(serving)[0]
        for round_ in range(rounds):
            order = list(bases.items())
            for name, base in order if round_ % 2 == 0 else reversed(order):
                health = requests_per_second(f"{base}/api/health", seconds, connections)[0]
                hook = f"{base}/webhook/plex?token={TOKEN}"
                ignored = wrk_post_rps(hook, body, content_type, seconds, connections)
                ratios[name].append(ignored / health)
        # Apart from the load above: a sync's aftermath (a WAL checkpoint, say) would slow the
        # other server's next /api/health.
        for round_ in range(rounds):
            order = list(bases.items())
            for name, base in order if round_ % 2 == 0 else reversed(order):
                timed_sync(base, b"[]")
                syncs[name].append((timed_sync(base, items), timed_sync(base, items)))
    print(f"\n{rounds} paired rounds\n")
    print("| server | ignored req/s vs `/api/health`, median | each round | sync s, fastest |")
    print("|---|---|---|---|")
    for name, values in ratios.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        fresh = min(s for s, _ in syncs[name])
        again = min(s for _, s in syncs[name])
        print(
            f"| {name} | **{statistics.median(values):.2f}x** | {each} "
            f"| {fresh:.3f} ({again:.3f} unchanged) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matches", type=int, default=2000)
    parser.add_argument("--sync", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-dynamodb", action="store_true")
    parser.add_argument("--against", type=Path, help="another src/ to pair ignored events with")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if args.against is not None:
        paired(args.against, args.rounds, args.seconds, args.connections, args.sync)
        return
    thumb = os.urandom(200 * 1024)

    with tempfile.TemporaryDirectory() as tmp, running_fake_tmdb() as tmdb:
        folder = Path(tmp)
        db = folder / "stellarr.db"
        # Three pending requests in four are movies (ids 1..): library.new matches them.
        asyncio.run(populate(sqlite_stores(db), args.matches * 3 // 2, 0))
        env = {
            "DATABASE_PATH": str(db),
            "APP_SECRET_KEY": "w" * 48,
            "PRESHARED_PASSWORD": "bench password 123",
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": tmdb.url,
            "PLEX_WEBHOOK_TOKEN": TOKEN,
        }
        hook = f"/webhook/plex?token={TOKEN}"
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
        server = {**os.environ, **env, "LOG_LEVEL": "WARNING"}  # as _harness.stellarr_server
        with (
            running_stellarr(server, folder, extra_args=("--no-access-log",)) as (base, process),
            bare_asgi_server(folder) as bare_base,
        ):
            ignored_body = multipart(play_event(), thumb)
            no_thumb_body = multipart(play_event(), None)
            for body in (ignored_body, no_thumb_body):
                answer = httpx.post(
                    f"{base}{hook}", content=body, headers={"content-type": content_type}
                )
                assert answer.json()["status"] == "ignored", answer.text
            before = revision(db)
            loads = {
                "health": lambda: requests_per_second(
                    f"{base}/api/health", args.seconds, args.connections
                )[0],
                "ignored": lambda: wrk_post_rps(
                    f"{base}{hook}", ignored_body, content_type, args.seconds, args.connections
                ),
                "no thumb": lambda: wrk_post_rps(
                    f"{base}{hook}", no_thumb_body, content_type, args.seconds, args.connections
                ),
                "bare get": lambda: requests_per_second(
                    f"{bare_base}/", args.seconds, args.connections
                )[0],
                "bare post": lambda: wrk_post_rps(
                    f"{bare_base}/", ignored_body, content_type, args.seconds, args.connections
                ),
            }
            rates: dict[str, float] = {}
            for _ in range(2):  # alternate, best of two: drift on a shared machine hits all
                for name, load in loads.items():
                    rates[name] = max(rates.get(name, 0.0), load())
            app_ignored_us, app_health_us = asyncio.run(app_times(env, ignored_body, content_type))
            assert revision(db) == before, "an ignored event wrote to the store"

            pending = [i for i in range(1, args.matches * 3 // 2 + 1) if i % 3][: args.matches]
            posts = [(hook, multipart(new_movie_event(i), thumb), content_type) for i in pending]
            health_gets = [("/api/health", b"", "")] * len(posts)
            health_rps, health_ms = asyncio.run(timed_posts(base, health_gets, args.connections))
            match_rps, match_ms = asyncio.run(timed_posts(base, posts, args.connections))
            check = httpx.post(
                f"{base}{hook}",
                content=multipart(new_movie_event(pending[0]), thumb),
                headers={"content-type": content_type},
            ).json()
            assert check["matched_request"] and check["added_to_library"], check
            added = httpx.get(f"{base}/list/radarr").json()
            assert not {item["id"] for item in added} & set(pending), "matched titles still listed"

            peak_before, peak_after, hostile_s, health_s = hostile_sync(base, process.pid)
            rss_before, rss_held = held_stranger_bodies(base, process.pid)

            body = sync_body(args.sync)
            fresh: list[float] = []
            floor: list[float] = []
            for _ in range(3):  # alternate with the baseline: drift hits both alike
                # Emptied first (untimed), like the bare baseline's fresh table.
                timed_sync(base, b"[]")
                fresh.append(timed_sync(base, body))
                floor.append(bare_executemany(folder, args.sync))
            sync_s, bare_s = min(fresh), min(floor)
            resync_s = min(timed_sync(base, body) for _ in range(2))

        dynamodb_s = None
        if not args.no_dynamodb:
            with dynamodb_local() as endpoint:
                table = "stellarr-sync-bench"
                asyncio.run(populate(make_dynamodb_stores(endpoint, table), 0, 0))
                denv = {**env, **dynamodb_local_env(endpoint, table)}
                del denv["DATABASE_PATH"]
                with stellarr_server(denv, folder) as dbase:
                    dynamodb_s = timed_sync(dbase, body)

    print(
        f"\nload: wrk, {args.connections} connections, {args.seconds}s, best of 2; "
        f"200 KB thumb; {len(posts)} library.new events over {args.connections} clients\n"
    )
    print("| measure | Stellarr | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| ignored `media.play` req/s vs `/api/health` | {rates['ignored']:,.0f} "
        f"| {rates['health']:,.0f} | **{rates['ignored'] / rates['health']:.2f}x** |"
    )
    print(
        f"| ceiling: bare ASGI app draining the same 200 KB POST, req/s vs `/api/health` "
        f"| {rates['bare post']:,.0f} | {rates['health']:,.0f} "
        f"| {rates['bare post'] / rates['health']:.2f}x |"
    )
    print(
        f"| ignored `media.play` req/s vs that bare ASGI app (Stellarr's own share) "
        f"| {rates['ignored']:,.0f} | {rates['bare post']:,.0f} "
        f"| {rates['ignored'] / rates['bare post']:.2f}x |"
    )
    print(
        f"| bare ASGI app, same 200 KB POST req/s vs its own GET "
        f"| {rates['bare post']:,.0f} | {rates['bare get']:,.0f} "
        f"| {rates['bare post'] / rates['bare get']:.2f}x |"
    )
    print(
        f"| the app's own time (in-process, no socket): ignored `media.play` µs vs "
        f"`/api/health` | {app_ignored_us:.0f} | {app_health_us:.0f} "
        f"| {app_ignored_us / app_health_us:.2f}x |"
    )
    print(
        f"| ignored `media.play` without a thumb req/s vs `/api/health` "
        f"| {rates['no thumb']:,.0f} | {rates['health']:,.0f} "
        f"| {rates['no thumb'] / rates['health']:.2f}x |"
    )
    print(
        f"| matching `library.new` req/s vs `/api/health` (same client) | {match_rps:,.0f} "
        f"| {health_rps:,.0f} | {match_rps / health_rps:.2f}x |"
    )
    print(
        f"| matching `library.new` p50 / p99 ms vs `/api/health` | "
        f"{statistics.median(match_ms):.1f} / {percentile(match_ms, 0.99):.1f} "
        f"| {statistics.median(health_ms):.1f} / {percentile(health_ms, 0.99):.1f} | |"
    )
    print(
        f"| 31 MiB `[{{}},{{}},...]` sync: server peak MiB (VmHWM) after vs before "
        f"| {peak_after:,.0f} | {peak_before:,.0f} | {peak_after / peak_before:.2f}x |"
    )
    print(
        f"| the same sync: s to its 422 vs one `/api/health` | {hostile_s:.3f} | {health_s:.3f} | |"
    )
    print(
        f"| 60 wrong-token 10 MiB bodies held open: server RSS MiB vs just before "
        f"| {rss_held:,.0f} | {rss_before:,.0f} | {rss_held / rss_before:.2f}x |"
    )
    print(
        f"| `/sync/library` {args.sync:,} items `clear=true`, s vs bare `executemany` | "
        f"{sync_s:.3f} | {bare_s:.3f} | **{sync_s / bare_s:.2f}x** |"
    )
    print(
        f"| `/sync/library` re-sync of the unchanged {args.sync:,}, s vs bare `executemany` | "
        f"{resync_s:.3f} | {bare_s:.3f} | {resync_s / bare_s:.2f}x |"
    )
    if dynamodb_s is not None:
        print(
            f"| `/sync/library` {args.sync:,} items on DynamoDB Local, s vs SQLite | "
            f"{dynamodb_s:.2f} | {sync_s:.2f} | {dynamodb_s / sync_s:.2f}x |"
        )


if __name__ == "__main__":
    main()
