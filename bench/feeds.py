"""Feeds, library status and search on SQLite, through a real `stellarr serve` process.

Loads 10,000 pending requests and 50,000 library items, then reports in one run:
- requests/s of /list/radarr against a static file of the same bytes from the same server;
- latency of /api/library-status (200 and 304), with the same static file as a yardstick;
- the server's overhead on /api/search over calling the fake TMDB directly.

    uv run python bench/feeds.py [--requests 10000] [--library 50000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from _harness import latency_ms, populate, requests_per_second, stellarr_server

from stellarr.store.sqlite import SQLiteStore
from stellarr_testing.fake_tmdb import API_KEY, running_fake_tmdb
from stellarr_testing.login import login_body

PASSWORD = "bench password 123"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--library", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, running_fake_tmdb() as tmdb:
        folder = Path(tmp)
        started = time.perf_counter()
        asyncio.run(populate(SQLiteStore(folder / "stellarr.db"), args.requests, args.library))
        print(
            f"loaded {args.requests} requests + {args.library} library items "
            f"in {time.perf_counter() - started:.1f}s"
        )
        static = folder / "static"
        static.mkdir()
        (static / "index.html").write_text("<title>Stellarr</title>")
        env = {
            "DATABASE_PATH": str(folder / "stellarr.db"),
            "APP_SECRET_KEY": "b" * 48,
            "PRESHARED_PASSWORD": PASSWORD,
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": tmdb.url,
            "STATIC_DIR": str(static),
        }
        with stellarr_server(env, folder) as base, httpx.Client(timeout=30) as client:
            feed = client.get(f"{base}/list/radarr").content
            (static / "radarr.json").write_bytes(feed)
            assert client.get(f"{base}/radarr.json").content == feed
            login = client.post(f"{base}/api/auth/verify", json=login_body(PASSWORD, origin=base))
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            status = client.get(f"{base}/api/library-status", headers=auth)
            (static / "library.json").write_bytes(status.content)

            print(
                f"/list/radarr: {len(feed):,} bytes; /api/library-status: "
                f"{len(status.content):,} bytes"
            )
            # Alternate the two so drift on a shared machine hits both alike.
            feed_runs, static_runs = [], []
            for _ in range(2):
                rps, tool = requests_per_second(
                    f"{base}/radarr.json", args.seconds, args.connections
                )
                static_runs.append(rps)
                rps, tool = requests_per_second(
                    f"{base}/list/radarr", args.seconds, args.connections
                )
                feed_runs.append(rps)
            feed_rps, static_rps = max(feed_runs), max(static_runs)

            etag = status.headers["etag"]
            full = latency_ms(client, "GET", f"{base}/api/library-status", 50, headers=auth)
            not_modified = latency_ms(
                client,
                "GET",
                f"{base}/api/library-status",
                300,
                headers={**auth, "If-None-Match": etag},
            )
            static_full = latency_ms(client, "GET", f"{base}/library.json", 50)

            body = {"query": "star trek"}
            client.post(f"{base}/api/search", json=body, headers=auth).raise_for_status()
            ours = latency_ms(client, "POST", f"{base}/api/search", 200, json=body, headers=auth)
            direct = latency_ms(
                client,
                "GET",
                f"{tmdb.url}/search/multi",
                200,
                params={"query": "star trek", "api_key": API_KEY},
            )

    print(f"\nload generator: {tool}, {args.connections} connections, {args.seconds}s x2 each\n")
    print("| measure | Stellarr | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| /list/radarr req/s vs static file | {feed_rps:,.0f} | {static_rps:,.0f} "
        f"| {feed_rps / static_rps:.2f}x |"
    )
    print(
        f"| /api/library-status 200, median ms vs static file | {full['median']:.2f} "
        f"| {static_full['median']:.2f} | {full['median'] / static_full['median']:.2f}x |"
    )
    print(f"| /api/library-status 200, p95 ms | {full['p95']:.2f} | {static_full['p95']:.2f} | |")
    print(
        f"| /api/library-status 304, median ms (p95) | {not_modified['median']:.2f} "
        f"({not_modified['p95']:.2f}) | | |"
    )
    print(
        f"| /api/search median ms vs fake TMDB direct | {ours['median']:.2f} "
        f"| {direct['median']:.2f} | +{ours['median'] - direct['median']:.2f} ms |"
    )


if __name__ == "__main__":
    main()
