"""/list/radarr requests/s with 10,000 pending requests: DynamoDB Local against SQLite.

Both stores get the same rows through the Store port; one `stellarr serve` process per
store, the same wrk load on each, alternating. On DynamoDB every poll still reads the
store's revision (one GetItem) before answering from the rendered-bytes cache.

    .venv/bin/python packages/stellarr/bench/dynamodb_feeds.py [--requests 10000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from _harness import dynamodb_local_env, populate, requests_per_second, stellarr_server

from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.dynamodb_local import dynamodb_local, make_dynamodb_stores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, dynamodb_local() as endpoint:
        folder = Path(tmp)
        table = "stellarr-feeds"
        started = time.perf_counter()
        asyncio.run(populate(sqlite_stores(folder / "stellarr.db"), args.requests, 0))
        loaded_sqlite = time.perf_counter() - started

        async def fill_dynamodb() -> None:
            await populate(make_dynamodb_stores(endpoint, table), args.requests, 0)

        started = time.perf_counter()
        asyncio.run(fill_dynamodb())
        loaded_dynamodb = time.perf_counter() - started
        common = {"APP_SECRET_KEY": "f" * 48, "PRESHARED_PASSWORD": "feeds bench pw"}
        sqlite_env = {**common, "DATABASE_PATH": str(folder / "stellarr.db")}
        dynamodb_env = {**common, **dynamodb_local_env(endpoint, table)}
        rates: dict[str, list[float]] = {"sqlite": [], "dynamodb": []}
        with (
            stellarr_server(sqlite_env, folder) as sqlite_url,
            stellarr_server(dynamodb_env, folder) as dynamodb_url,
        ):
            bodies = {
                httpx.get(f"{u}/list/radarr", timeout=60).content
                for u in (sqlite_url, dynamodb_url)
            }
            assert len(bodies) == 1, "both stores must publish the same feed"
            size = len(bodies.pop())
            for _ in range(2):
                for name, url in (("sqlite", sqlite_url), ("dynamodb", dynamodb_url)):
                    rps, tool = requests_per_second(
                        f"{url}/list/radarr", args.seconds, args.connections
                    )
                    rates[name].append(rps)

    sqlite_rps, dynamodb_rps = max(rates["sqlite"]), max(rates["dynamodb"])
    print(
        f"\n{args.requests} pending requests, /list/radarr = {size:,} bytes; load: {tool}, "
        f"{args.connections} connections, {args.seconds}s, best of 2"
    )
    print(
        f"loading through the Store port: SQLite {loaded_sqlite:.1f}s, "
        f"DynamoDB Local {loaded_dynamodb:.1f}s\n"
    )
    print("| store | /list/radarr req/s | vs SQLite |")
    print("|---|---|---|")
    print(f"| SQLite | {sqlite_rps:,.0f} | 1.00x |")
    print(f"| DynamoDB Local | {dynamodb_rps:,.0f} | {dynamodb_rps / sqlite_rps:.2f}x |")


if __name__ == "__main__":
    main()
