"""The trending cache: one warm run against a slow TMDB, and the self-hosted route against
a static file of the same bytes, through a real `stellarr serve` process.

- Warm run: the fake TMDB answers every call after --latency seconds (100 ms by default, a
  far-away API). A run makes 24 calls (6 lists x 4 locales x 1 page: trending all, movie
  and tv, popular movie and tv, upcoming movie); run concurrently it should cost about one
  call: target wall time <= 2x one call's latency.
- Route: requests/s of /trending-all-en.json (warmed by the server's own scheduler at
  start-up) against the same bytes as a static file from the same server, and with gzip;
  target >= 0.8x the static file, as for the feeds.

    .venv/bin/python packages/stellarr/bench/trending.py
        [--latency 0.1] [--seconds 4] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _harness import best_of, raw_get, stellarr_server

from stellarr.clients.tmdb import TMDBClient, TMDBCredentials
from stellarr.domain.trending import tmdb_path
from stellarr.services.trending import TrendingWarmer
from stellarr.services.trending_destinations import LocalFolder
from stellarr.settings import Settings, StaticSettings
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB, running_fake_tmdb

PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
LOCALES = ("en", "es", "fr", "de")


async def warm_runs(tmdb: FakeTMDB, folder: Path, runs: int) -> tuple[list[float], list[float]]:
    """(one call's seconds, a whole run's seconds) per round, each on a fresh client, so
    both pay for new connections as a daily run does."""
    settings = StaticSettings(
        Settings(app_secret_key="b" * 48, preshared_password="p", tmdb_api_key=API_KEY)
    )
    single, whole = [], []
    for _ in range(runs):
        client = TMDBClient(tmdb.url, TMDBCredentials(settings))
        started = time.perf_counter()
        await client.home_list(tmdb_path("trending", "all"), "en")
        single.append(time.perf_counter() - started)
        await client.aclose()

        client = TMDBClient(tmdb.url, TMDBCredentials(settings))
        warmer = TrendingWarmer(client, LocalFolder(folder), LOCALES, 1)
        started = time.perf_counter()
        summary = await warmer.run()
        whole.append(time.perf_counter() - started)
        await client.aclose()
        assert all(outcome["status"] == "ok" for outcome in summary.values()), summary
    return single, whole


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, running_fake_tmdb() as tmdb:
        folder = Path(tmp)
        tmdb.latency = args.latency
        single, whole = asyncio.run(warm_runs(tmdb, folder / "warm", args.runs))
        one, run = statistics.median(single), statistics.median(whole)
        calls = len(tmdb.calls("/3/")) // args.runs - 1
        tmdb.latency = 0.0

        static = folder / "static"
        static.mkdir()
        (static / "index.html").write_text("<title>Stellarr</title>")
        env = {
            "DATABASE_PATH": str(folder / "data" / "stellarr.db"),
            "APP_SECRET_KEY": "b" * 48,
            "PRESHARED_PASSWORD": "bench password 123",
            "TMDB_API_KEY": API_KEY,
            "TMDB_BASE_URL": tmdb.url,
            "STATIC_DIR": str(static),
        }
        with stellarr_server(env, folder) as base, httpx.Client(timeout=30) as client:
            route = f"{base}/trending-all-en.json"
            # The server's scheduler writes the missing lists right after start-up.
            for _ in range(300):
                if client.get(route).status_code == 200:
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("stellarr serve never wrote the trending lists")
            _, body = raw_get(client, route, PLAIN)
            coding, zipped = raw_get(client, route, GZIP)
            assert coding == "gzip" and gzip.decompress(zipped) == body
            (static / "trending-copy.json").write_bytes(body)
            assert raw_get(client, f"{base}/trending-copy.json", PLAIN)[1] == body
            rps, tool = best_of(
                2,
                {
                    "static": (f"{base}/trending-copy.json", PLAIN),
                    "route": (route, PLAIN),
                    "route_gz": (route, GZIP),
                },
                args.seconds,
                args.connections,
            )

    print(f"\nload generator: {tool}, {args.connections} connections, {args.seconds}s x2 each\n")
    print("| measure | Stellarr | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| warm run, {calls} TMDB calls at {args.latency * 1000:.0f} ms, median of {args.runs} "
        f"(s) vs one call | {run:.3f} | {one:.3f} | {run / one:.2f}x |"
    )
    print(
        f"| warm run vs the calls one after another | {run:.3f} | {calls * one:.3f} "
        f"| {run / (calls * one):.2f}x |"
    )
    print(
        f"| /trending-all-en.json req/s vs static file ({len(body):,} bytes) "
        f"| {rps['route']:,.0f} | {rps['static']:,.0f} | {rps['route'] / rps['static']:.2f}x |"
    )
    print(
        f"| /trending-all-en.json gzip ({len(zipped):,} bytes) req/s vs static file, plain "
        f"| {rps['route_gz']:,.0f} | {rps['static']:,.0f} "
        f"| {rps['route_gz'] / rps['static']:.2f}x |"
    )


if __name__ == "__main__":
    main()
