"""Lambda cold start and package size, against the boto3 variant measured in the same run.

A cold start here is a fresh Python process → first response of GET /api/health, and of an
authenticated GET /api/requests, through `stellarr.lambda_handler.handler` with Function URL
events, against a DynamoDB Local table. Every variant runs from a folder unpacked from its zip
the way unzip does it (modification times as the zip keeps them, to two seconds), built by
tools/lambda_package.py for this machine's platform and Lambda's Python when it is here, and
run with `python -S` so nothing else on the machine is importable. The baseline is the shipped
package with boto3 imported and a DynamoDB client created first (what the existing handler
does at import), built on first invoke.

Measured, each as a ratio to that baseline:
- where the app is built: on the first invoke, during init (on demand), or during a SnapStart
  init whose restore hook rebuilds it (the request path is then restore hook + first invoke);
- source only, bytecode only, both (timestamp-checked .pyc, as the old package had, and
  unchecked-hash), and the shipped mix (bytecode for dependencies, both for Stellarr);
- the zips for Lambda (Python 3.12, arm64) of each.

    .venv/bin/python packages/stellarr/bench/cold_start.py [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import dynamodb_local_env, populate

from stellarr.domain.tokens import issue_token
from stellarr_testing.dynamodb_local import dynamodb_local, make_dynamodb_stores
from stellarr_tools import lambda_package as packager

CHILD = Path(__file__).with_name("_cold_child.py")
SECRET = "c" * 48
REQUESTS = 20
LAMBDA_PYTHON = "3.12"


@dataclass(frozen=True)
class Build:
    key: str
    label: str
    mode: packager.Bytecode
    invalidation: packager.Invalidation = "unchecked-hash"
    tracebacks: str = ""


SHIPPED = Build(
    "mixed", "bytecode for dependencies, both for Stellarr (shipped)", "mixed", tracebacks="ours"
)
BUILDS = [
    Build("source", "source only", "source", tracebacks="all"),
    Build("old", "both, timestamp-checked .pyc (old package)", "both", "timestamp", "all"),
    Build("both", "both, unchecked-hash .pyc", "both", tracebacks="all"),
    Build("bytecode", "bytecode only", "bytecode", tracebacks="none"),
    SHIPPED,
]


@dataclass(frozen=True)
class Variant:
    label: str
    path: str
    child: str = "ours"  # or boto3, snapstart
    initialization: str | None = None


def unzip(archive: Path, folder: Path) -> None:
    """Unpack as unzip does: each file gets the zip's (two-second) modification time."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, folder))
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(path, (stamp, stamp))


def packaged(source: Path, work: Path, build: Build, target: packager.Target) -> tuple[int, int]:
    """Compile a copy of `source` as `build` says, zip it, unpack it to work/run-<key>."""
    folder = work / f"build-{build.key}"
    shutil.copytree(source, folder)
    packager.compile_bytecode(folder, target, build.mode, invalidation=build.invalidation)
    sizes = packager.zip_folder(folder, work / f"{build.key}.zip")
    unzip(work / f"{build.key}.zip", work / f"run-{build.key}")
    shutil.rmtree(folder)
    return sizes


def attached_pins() -> list[str]:
    """The function's pins and its default layers' (pydantic-core, cryptography), which every
    function has on its path: one folder here."""
    split = packager.requirements()
    defaults = [layer.name for layer in packager.LAYERS if layer.default]
    return [*split.function, *(line for name in defaults for line in split.layers.get(name, ()))]


def boto3_folder(work: Path, target: packager.Target, name: str) -> tuple[int, int]:
    """boto3 and what it needs beyond the function, as bytecode; unpacked to work/run-<name>."""
    function = packager.Requirements.names(attached_pins())
    folder = work / f"build-{name}"
    packager.install(folder, packager.closure(["boto3"], function), target)
    packager.strip(folder)
    packager.compile_bytecode(folder, target, "bytecode")
    sizes = packager.zip_folder(folder, work / f"{name}.zip")
    unzip(work / f"{name}.zip", work / f"run-{name}")
    return sizes


async def seed(endpoint: str, table: str) -> None:
    await populate(make_dynamodb_stores(endpoint, table), REQUESTS, 0)


def run_child(
    python: str, variant: Variant, env: dict[str, str], importtime: bool = False
) -> tuple[dict[str, Any], float, str]:
    token = issue_token(SECRET, "alice", "user", int(time.time()))
    flags = ["-X", "importtime"] if importtime else []
    child_env = {**env, "PYTHONPATH": variant.path}
    if variant.initialization:
        child_env["AWS_LAMBDA_INITIALIZATION_TYPE"] = variant.initialization
    started = time.perf_counter()
    proc = subprocess.run(
        [python, "-S", *flags, str(CHILD), variant.child, token],
        env=child_env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    sample: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    if sample["statuses"] != [200, 200] or sample["count"] != REQUESTS:
        raise RuntimeError(f"{variant.label}: {proc.stdout}{proc.stderr}")
    return sample, wall, proc.stderr


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

    lambda_python = packager.interpreter(LAMBDA_PYTHON)
    python = lambda_python or sys._base_executable  # type: ignore[attr-defined]
    here = packager.Target.here(LAMBDA_PYTHON if lambda_python else None)
    print(f"Python {here.python_version} ({python}), {args.runs} runs per variant")
    with tempfile.TemporaryDirectory() as tmp, dynamodb_local() as endpoint:
        work = Path(tmp)
        print("assembling every variant for this machine...")
        pins = attached_pins()
        packager.install_function(work / "source", here, pins)
        for build in BUILDS:
            packaged(work / "source", work, build, here)
        boto3_folder(work, here, "boto3")
        table = "stellarr-cold"
        asyncio.run(seed(endpoint, table))
        env = {
            **dynamodb_local_env(endpoint, table),
            "PATH": os.environ["PATH"],
            "AWS_DEFAULT_REGION": "eu-west-1",
            "APP_SECRET_KEY": SECRET,
            "PRESHARED_PASSWORD": "cold start password",
            "ENV_FILE": str(work / "absent.env"),
            # Lambda's file system is read-only: nothing compiled at run time is kept.
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        shipped = str(work / f"run-{SHIPPED.key}")
        baseline = Variant(
            "with boto3 (baseline)", f"{shipped}{os.pathsep}{work / 'run-boto3'}", "boto3"
        )
        lazy = Variant("built on first invoke", shipped)
        eager = Variant("built during init (on demand)", shipped, initialization="on-demand")
        snap = Variant(
            "SnapStart: built and warmed before the snapshot, rebuilt by the restore hook",
            shipped,
            "snapstart",
            "snap-start",
        )
        by_build = {b.key: Variant(b.label, str(work / f"run-{b.key}")) for b in BUILDS}
        by_build[SHIPPED.key] = lazy
        variants = [baseline, lazy, eager, snap, *(v for v in by_build.values() if v != lazy)]

        samples: dict[str, list[tuple[dict[str, Any], float]]] = {v.label: [] for v in variants}
        print("one warm-up run each (file cache, DynamoDB Local's JIT)...")
        for variant in variants:
            run_child(python, variant, env)
        for _ in range(args.runs):
            for variant in variants:
                sample, wall, _ = run_child(python, variant, env)
                samples[variant.label].append((sample, wall))
        *_, stderr = run_child(python, lazy, env, importtime=True)

        print("building the zips for Lambda (Python 3.12, arm64)...")
        arm = packager.Target()
        arm_work = work / "arm64"
        packager.install_function(arm_work / "source", arm, pins)
        sizes = {b.key: packaged(arm_work / "source", arm_work, b, arm) for b in BUILDS}
        boto_zip, boto_unpacked = boto3_folder(arm_work, arm, "boto3")

    def med(variant: Variant, measure: str) -> float:
        rows = samples[variant.label]
        if measure == "wall":
            return statistics.median(wall for _, wall in rows) * 1000
        if measure == "invoke":
            return statistics.median(s["health"] - s["ready"] for s, _ in rows) * 1000
        return statistics.median(s[measure] for s, _ in rows) * 1000

    def path(variant: Variant) -> float:
        if variant.child == "snapstart":
            return med(variant, "invoke")
        return med(variant, "health")

    base = path(baseline)
    print(f"\ncold start, median of {args.runs} fresh processes (ms from interpreter start):\n")
    print("| first response | Stellarr | with boto3 | ratio |")
    print("|---|---|---|---|")
    for label, measure in (
        ("`GET /api/health`", "health"),
        ("authenticated `GET /api/requests` (DynamoDB Local)", "requests"),
        ("whole process, spawn to exit", "wall"),
    ):
        ours, boto = med(lazy, measure), med(baseline, measure)
        print(f"| {label} | {ours:,.0f} ms | {boto:,.0f} ms | {ours / boto:.2f}x |")

    print("\nwhere the app is built (shipped package; first response of `GET /api/health`):\n")
    print("| cold path | init | first invoke | a request waits | vs baseline |")
    print("|---|---|---|---|---|")
    for variant in (baseline, lazy, eager, snap):
        init = med(variant, "init")
        shown = f"({init:,.0f} ms, before the snapshot)" if variant is snap else f"{init:,.0f} ms"
        invoke = med(variant, "invoke")
        waits = path(variant)
        print(
            f"| {variant.label} | {shown} | {invoke:,.0f} ms | {waits:,.0f} ms "
            f"| {waits / base:.2f}x |"
        )

    old = path(by_build["old"])
    print("\nsource and bytecode (built on first invoke; zips for Python 3.12, arm64):\n")
    print(
        "| package | first response | vs baseline | vs old | source lines in tracebacks "
        "| zip | unzipped |"
    )
    print("|---|---|---|---|---|---|---|")
    for build in BUILDS:
        ms = path(by_build[build.key])
        zipped, unpacked = sizes[build.key]
        print(
            f"| {build.label} | {ms:,.0f} ms | {ms / base:.2f}x | {ms / old:.2f}x "
            f"| {build.tracebacks} | {zipped / 1e6:.1f} MB | {unpacked / 1e6:.1f} MB |"
        )

    fz, fu = sizes[SHIPPED.key]
    print("\n| package (Python 3.12, arm64) | zipped | unzipped |")
    print("|---|---|---|")
    print(f"| function + default layers, one zip | {fz / 1e6:.1f} MB | {fu / 1e6:.1f} MB |")
    print(
        f"| boto3 + botocore (what the baseline adds) | {boto_zip / 1e6:.1f} MB "
        f"| {boto_unpacked / 1e6:.1f} MB |"
    )
    print(
        f"| function with boto3 | {(fz + boto_zip) / 1e6:.1f} MB "
        f"| {(fu + boto_unpacked) / 1e6:.1f} MB |"
    )

    print("\ntop of `python -X importtime` (cumulative ms), shipped package:\n")
    for micros, module in import_top(stderr):
        print(f"    {micros / 1000:7.1f}  {module}")


if __name__ == "__main__":
    main()
