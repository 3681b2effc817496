"""Feeds, library status and search on SQLite, through a real `stellarr serve` process.

Loads 10,000 pending requests and 50,000 library items, then reports in one run:
- requests/s of /list/radarr against a static file of the same bytes from the same server,
  and against nginx serving those bytes (plain, and gzip_static with our own gzip bytes);
- latency of /api/library-status (200 and 304), with the same static file as a yardstick;
- the server's overhead on /api/search over calling the fake TMDB directly.

    .venv/bin/python packages/stellarr/bench/feeds.py
        [--requests 10000] [--library 50000] [--seconds 4]

nginx (`apt-get install -y nginx`) runs as a foreground process on a free 127.0.0.1 port
from a config generated in a temporary folder, and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import tempfile
import time
from pathlib import Path

import httpx
from _harness import best_of, latency_ms, nginx_server, populate, raw_get, stellarr_server

from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.fake_tmdb import API_KEY, running_fake_tmdb
from stellarr_testing.login import login_body

PASSWORD = "bench password 123"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--library", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, running_fake_tmdb() as tmdb:
        folder = Path(tmp)
        started = time.perf_counter()
        asyncio.run(populate(sqlite_stores(folder / "stellarr.db"), args.requests, args.library))
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
            _, feed = raw_get(client, f"{base}/list/radarr", PLAIN)
            coding, zipped = raw_get(client, f"{base}/list/radarr", GZIP)
            assert coding == "gzip" and gzip.decompress(zipped) == feed
            (static / "radarr.json").write_bytes(feed)
            assert raw_get(client, f"{base}/radarr.json", PLAIN)[1] == feed
            login = client.post(f"{base}/api/auth/verify", json=login_body(PASSWORD, origin=base))
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            status = client.get(f"{base}/api/library-status", headers={**auth, **PLAIN})
            (static / "library.json").write_bytes(status.content)
            _, status_gz = raw_get(client, f"{base}/api/library-status", {**auth, **GZIP})

            print(
                f"/list/radarr: {len(feed):,} bytes, gzip {len(zipped):,}; "
                f"/api/library-status: {len(status.content):,} bytes, gzip {len(status_gz):,}"
            )
            files = {"radarr.json": feed, "radarr.json.gz": zipped}
            # One nginx worker is the like-for-like yardstick (one Uvicorn worker here); the
            # stock "auto" (one per core) shows what nginx does with the whole machine.
            with nginx_server(files, "1") as nginx, nginx_server(files, "auto") as nginx_all:
                for server in (nginx, nginx_all):
                    # Exactly our bytes from nginx, or the comparison means nothing.
                    assert raw_get(client, f"{server}/radarr.json", PLAIN) == ("identity", feed)
                    assert raw_get(client, f"{server}/radarr.json", GZIP) == ("gzip", zipped)
                rps, tool = best_of(
                    2,
                    {
                        "static": (f"{base}/radarr.json", PLAIN),
                        "feed": (f"{base}/list/radarr", PLAIN),
                        "nginx": (f"{nginx}/radarr.json", PLAIN),
                        "nginx_all": (f"{nginx_all}/radarr.json", PLAIN),
                        "feed_gz": (f"{base}/list/radarr", GZIP),
                        "nginx_gz": (f"{nginx}/radarr.json", GZIP),
                        "nginx_all_gz": (f"{nginx_all}/radarr.json", GZIP),
                    },
                    args.seconds,
                    args.connections,
                )

            etag = status.headers["etag"]
            full = latency_ms(
                client, "GET", f"{base}/api/library-status", 50, headers={**auth, **PLAIN}
            )
            full_gz = latency_ms(
                client, "GET", f"{base}/api/library-status", 50, headers={**auth, **GZIP}
            )
            not_modified = latency_ms(
                client,
                "GET",
                f"{base}/api/library-status",
                300,
                headers={**auth, **PLAIN, "If-None-Match": etag},
            )
            static_full = latency_ms(client, "GET", f"{base}/library.json", 50, headers=PLAIN)

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
    feed_rps, static_rps = rps["feed"], rps["static"]
    print(
        f"| /list/radarr req/s vs static file | {feed_rps:,.0f} | {static_rps:,.0f} "
        f"| {feed_rps / static_rps:.2f}x |"
    )
    for label, mine, theirs in (
        ("/list/radarr req/s vs nginx, 1 worker", "feed", "nginx"),
        ("/list/radarr gzip req/s vs nginx gzip_static, 1 worker", "feed_gz", "nginx_gz"),
        ("/list/radarr req/s vs nginx, workers auto", "feed", "nginx_all"),
        ("/list/radarr gzip req/s vs nginx gzip_static, workers auto", "feed_gz", "nginx_all_gz"),
    ):
        print(
            f"| {label} | {rps[mine]:,.0f} | {rps[theirs]:,.0f} | {rps[mine] / rps[theirs]:.2f}x |"
        )
    print(
        f"| /api/library-status 200, median ms vs static file | {full['median']:.2f} "
        f"| {static_full['median']:.2f} | {full['median'] / static_full['median']:.2f}x |"
    )
    print(f"| /api/library-status 200, p95 ms | {full['p95']:.2f} | {static_full['p95']:.2f} | |")
    print(
        f"| /api/library-status 200 gzip, median ms (p95) vs plain | {full_gz['median']:.2f} "
        f"({full_gz['p95']:.2f}) | {full['median']:.2f} "
        f"| {full_gz['median'] / full['median']:.2f}x |"
    )
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
