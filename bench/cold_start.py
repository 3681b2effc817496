"""Lambda cold start and package size: Stellarr's httpx client against the boto3 variant.

A cold start here is a fresh Python process → first response of GET /api/health, and of an
authenticated GET /api/requests, through `stellarr.lambda_handler.handler` with Function URL
events, against a DynamoDB Local table. The code runs from a folder assembled exactly like
the Lambda package (same pinned dependencies, no dev tools, bytecode precompiled), built for
this machine's platform so it can run here. The boto3 variant is the same flow with boto3
imported and a DynamoDB client created first (what the existing handler does at import).

    uv run python bench/cold_start.py [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _harness import ROOT, dynamodb_local_env

from stellarr.domain.models import MediaRequest, MediaType
from stellarr.domain.tokens import issue_token
from stellarr.lambda_package import (
    Target,
    assemble,
    assemble_function,
    build,
    function_pins,
    zip_folder,
)
from stellarr_testing.dynamodb_local import dynamodb_local, make_dynamodb_store

CHILD = ROOT / "bench" / "_cold_child.py"
SECRET = "c" * 48
BOTO3 = ["boto3"]


async def seed(endpoint: str, table: str, count: int) -> None:
    store = await make_dynamodb_store(endpoint, table)
    for i in range(1, count + 1):
        await store.add_request(
            MediaRequest(
                media_type=MediaType.MOVIE,
                tmdb_id=i,
                title=f"Title {i}",
                requested_by="alice",
                requested_at=datetime.now(UTC),
            )
        )
    await store.close()


def run_child(python_path: str, variant: str, env: dict[str, str], importtime: bool = False):  # type: ignore[no-untyped-def]
    token = issue_token(SECRET, "alice", "user", int(time.time()))
    flags = ["-X", "importtime"] if importtime else []
    started = time.perf_counter()
    proc = subprocess.run(
        [sys._base_executable, "-S", *flags, str(CHILD), variant, token],
        env={**env, "PYTHONPATH": python_path},
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    health = float(lines["health"].split()[0])
    listed_time, status, count = lines["requests"].split()
    if status != "200" or count == "-1":
        raise RuntimeError(proc.stdout + proc.stderr)
    return health, float(listed_time), wall, proc.stderr


def import_top(stderr: str, n: int = 12) -> list[tuple[int, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line[12:].split("|"))
            if cumulative.isdigit():
                rows.append((int(cumulative), name))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    here = Target.here()
    with tempfile.TemporaryDirectory() as tmp, dynamodb_local() as endpoint:
        work = Path(tmp)
        print("assembling the function folder and the boto3 folder for this machine...")
        assemble_function(work / "function", here)
        assemble(work / "boto3", BOTO3, here, frozenset(function_pins()))
        table = "stellarr-cold"
        asyncio.run(seed(endpoint, table, 20))
        env = {
            **dynamodb_local_env(endpoint, table),
            "PATH": os.environ["PATH"],
            "AWS_DEFAULT_REGION": "eu-west-1",
            "APP_SECRET_KEY": SECRET,
            "PRESHARED_PASSWORD": "cold start password",
            "ENV_FILE": str(work / "absent.env"),
        }
        paths = {
            "stellarr (httpx client)": str(work / "function"),
            "with boto3": f"{work / 'function'}{os.pathsep}{work / 'boto3'}",
        }
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in paths}
        for name, path in paths.items():  # warm the OS file cache once each
            run_child(path, "boto3" if "boto3" in name else "ours", env)
        for _ in range(args.runs):
            for name, path in paths.items():
                health, listed, wall, _ = run_child(
                    path, "boto3" if "boto3" in name else "ours", env
                )
                results[name].append((health, listed, wall))
        *_, stderr = run_child(paths["stellarr (httpx client)"], "ours", env, importtime=True)

        print("\nsizes for Lambda (Python 3.12, arm64):")
        sizes = build(work / "dist")
        aws = Target()
        assemble(work / "boto3-arm", BOTO3, aws, frozenset(function_pins()))
        boto_zip, boto_unpacked = zip_folder(work / "boto3-arm", work / "boto3.zip")

    ours = results["stellarr (httpx client)"]
    boto = results["with boto3"]

    def med(rows: list[tuple[float, float, float]], i: int) -> float:
        return statistics.median(r[i] for r in rows) * 1000

    print(f"\ncold start, median of {args.runs} fresh processes (ms from interpreter start):\n")
    print("| first response | stellarr | with boto3 | ratio |")
    print("|---|---|---|---|")
    for label, i in (("GET /api/health", 0), ("GET /api/requests (DynamoDB Local)", 1)):
        ratio = med(ours, i) / med(boto, i)
        print(f"| {label} | {med(ours, i):.0f} | {med(boto, i):.0f} | {ratio:.2f}x |")
    print(
        f"| whole process, spawn to exit | {med(ours, 2):.0f} | {med(boto, 2):.0f} | "
        f"{med(ours, 2) / med(boto, 2):.2f}x |"
    )

    fz, fu = sizes["lambda.zip"]
    lz, lu = sizes["layer.zip"]
    print("\n| package | zipped MB | unzipped MB |")
    print("|---|---|---|")
    print(f"| lambda.zip (function) | {fz / 1e6:.1f} | {fu / 1e6:.1f} |")
    print(f"| layer.zip (cryptography) | {lz / 1e6:.1f} | {lu / 1e6:.1f} |")
    print(
        f"| boto3 + botocore (what the boto3 variant adds) | {boto_zip / 1e6:.1f} | "
        f"{boto_unpacked / 1e6:.1f} |"
    )
    print(
        f"| function with boto3 | {(fz + boto_zip) / 1e6:.1f} | {(fu + boto_unpacked) / 1e6:.1f} |"
    )

    print("\ntop of `python -X importtime` (cumulative ms), stellarr variant:\n")
    for micros, module in import_top(stderr):
        print(f"    {micros / 1000:7.1f}  {module}")


if __name__ == "__main__":
    main()
