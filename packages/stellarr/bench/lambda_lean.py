"""The Lambda package against an earlier commit's: zip sizes, and cold starts, paired.

    git worktree add /tmp/stellarr-before <commit>
    .venv/bin/python packages/stellarr/bench/lambda_lean.py [--before /tmp/stellarr-before]
        [--runs 30]

Each side is built by its own tools/stellarr_tools/lambda_package.py from its own uv.lock,
with UV_COMPILE_BYTECODE=1 as `make lambda` exports it: for Lambda (Python 3.12, arm64) for
the sizes, and for this machine (with Lambda's Python, 3.12, when it is here) to run.

A cold start is a whole process, timed from spawn to exit: a fresh `python -S` (nothing else
on the machine importable) with the function unpacked as Lambda does it (the function's zip
first on the path, then every default layer's `python/`), `PYTHONDONTWRITEBYTECODE=1`
(Lambda's file system is read-only), `AWS_LAMBDA_INITIALIZATION_TYPE=on-demand` (so the app
is built while the handler module is imported, as on Lambda), importing the handler and
answering one Function URL event. Two first requests, each measured on its own:
- `GET /api/auth/params`: the whole HTTP stack, no AWS call;
- authenticated `GET /api/requests`: one DynamoDB query, to a DynamoDB Local table seeded
  with a few requests (what most of a browser's first calls and the Radarr/Sonarr lists do).
Three variants run for each in every round, in a fresh random order:
- before: the earlier commit's package;
- after: this tree's;
- after, collector on: this tree's package with `gc.disable()` and `gc.freeze()` made
  no-ops before the handler is imported, which isolates what that change does.
Ratios are per round (paired), then summarised by their median and quartiles.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

from _harness import dynamodb_local_env, populate

from stellarr.domain.tokens import issue_token
from stellarr_testing.dynamodb_local import dynamodb_local, make_dynamodb_stores
from stellarr_tools import lambda_package as ours

LAMBDA_PYTHON = "3.12"
HANDLER = "stellarr.lambda_handler.handler"
SECRET = "b" * 48
EVENT: dict[str, Any] = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/api/auth/params",
    "rawQueryString": "",
    "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", "x-forwarded-proto": "https"},
    "requestContext": {
        "http": {
            "method": "GET",
            "path": "/api/auth/params",
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.9",
            "userAgent": "bench",
        },
        "requestId": "bench",
        "routeKey": "$default",
        "stage": "$default",
    },
    "isBase64Encoded": False,
}
SEEDED = 20
# argv: the request path, then the bearer token (or "").
CHILD = f"""
import sys
from stellarr.lambda_handler import handler
event = {EVENT!r}
path, token = sys.argv[1:3]
event["rawPath"] = event["requestContext"]["http"]["path"] = path
if token:
    event["headers"]["authorization"] = "Bearer " + token
response = handler(event, None)
assert response["statusCode"] == 200, response
if path == "/api/requests":
    import json
    assert len(json.loads(response["body"])["requests"]) == {SEEDED}, response["body"][:200]
"""
# The first request after a cold start: (label, path, authenticated).
REQUESTS = (
    ("`GET /api/auth/params` (no AWS call)", "/api/auth/params", False),
    ("authenticated `GET /api/requests` (DynamoDB Local)", "/api/requests", True),
)
# The collector left on: the handler's gc calls do nothing.
GC_ON = "import gc\ngc.disable = gc.freeze = gc.unfreeze = lambda: None\n"


def load_packager(root: Path) -> ModuleType:
    """The packager of the tree at `root`, which builds from that tree's source and lock."""
    path = root / "packages" / "stellarr" / "tools" / "stellarr_tools" / "lambda_package.py"
    spec = importlib.util.spec_from_file_location(f"packager_{abs(hash(root))}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def default_layers(packager: ModuleType, dist: Path) -> list[str]:
    """The layer zips every function gets: the earlier packager had one, `layer.zip`."""
    if hasattr(packager, "default_layer_zips"):
        names: tuple[str, ...] = packager.default_layer_zips()
        return [n for n in names if (dist / n).is_file()]
    return ["layer.zip"] if (dist / "layer.zip").is_file() else []


def unpack(dist: Path, layers: list[str], folder: Path) -> str:
    """Function in folder/task, layers in folder/opt (as /var/task and /opt); PYTHONPATH."""
    with zipfile.ZipFile(dist / "lambda.zip") as zf:
        zf.extractall(folder / "task")
    for layer in layers:
        with zipfile.ZipFile(dist / layer) as zf:
            zf.extractall(folder / "opt")
    return os.pathsep.join(str(p) for p in (folder / "task", folder / "opt" / "python"))


def sizes(dist: Path) -> dict[str, tuple[int, int]]:
    """{zip: (bytes, files for a Python other than 3.12)}."""
    found = {}
    for archive in sorted(dist.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
        foreign = sum(1 for n in names if ".cpython-" in n and ".cpython-312" not in n)
        found[archive.name] = (archive.stat().st_size, foreign)
    return found


def run(
    python: str, path: str, env: dict[str, str], request: tuple[str, str], prefix: str = ""
) -> float:
    started = time.perf_counter()
    subprocess.run(
        [python, "-S", "-c", prefix + CHILD, *request],
        env={**env, "PYTHONPATH": path},
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return q1, q2, q3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, default=Path("/tmp/stellarr-before"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    if not (args.before / "uv.lock").is_file():
        raise SystemExit(f"{args.before}: no checkout there; `git worktree add {args.before} REF`")
    python = ours.interpreter(LAMBDA_PYTHON)
    if python is None:
        raise SystemExit(f"no python{LAMBDA_PYTHON} here (Lambda's Python); pyenv's is found too")
    before = load_packager(args.before)
    commit = subprocess.run(
        ["git", "-C", str(args.before), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    os.environ["UV_COMPILE_BYTECODE"] = "1"  # as the Makefile exports it
    os.environ.setdefault("UV", ours._uv()[0])  # a worktree has no .cache/uv of its own
    here = ours.Target.here(LAMBDA_PYTHON)

    with tempfile.TemporaryDirectory() as tmp, dynamodb_local() as endpoint:
        work = Path(tmp)
        print("building both packages for Lambda (arm64) and for this machine...", flush=True)
        built: dict[str, dict[str, tuple[int, int]]] = {}
        paths: dict[str, str] = {}
        for name, packager in (("before", before), ("after", ours)):
            arm = work / name / "arm64"
            packager.build(arm, packager.Target())
            built[name] = sizes(arm)
            local = work / name / "here"
            packager.build(local, packager.Target.here(here.python_version))
            paths[name] = unpack(local, default_layers(packager, local), work / name / "run")

        table = "stellarr-lean"
        asyncio.run(populate(make_dynamodb_stores(endpoint, table), SEEDED, 0))
        token = issue_token(SECRET, "alice", "user", int(time.time()))
        env = {
            **dynamodb_local_env(endpoint, table),
            "PATH": os.environ["PATH"],
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "_HANDLER": HANDLER,
            "AWS_LAMBDA_FUNCTION_NAME": "stellarr-bench",
            "APP_SECRET_KEY": SECRET,
            "PRESHARED_PASSWORD": "lean lambda bench",
            "ENV_FILE": str(work / "absent.env"),
        }
        variants = {
            "before": (paths["before"], ""),
            "after": (paths["after"], ""),
            "after, collector on": (paths["after"], GC_ON),
        }
        cases = [
            (label, name, (path, token if authenticated else ""))
            for label, path, authenticated in REQUESTS
            for name in variants
        ]
        print("two warm-up rounds (file cache, DynamoDB Local's JIT)...", flush=True)
        for _ in range(2):
            for _, name, request in cases:
                run(python, variants[name][0], env, request, variants[name][1])
        rng = random.Random(args.seed)
        walls: dict[tuple[str, str], list[float]] = {(c[0], c[1]): [] for c in cases}
        for _ in range(args.runs):
            for label, name, request in rng.sample(cases, len(cases)):
                path, prefix = variants[name]
                walls[label, name].append(run(python, path, env, request, prefix))

    print(
        f"\nbefore = {commit or args.before}; Python {here.python_version} ({python}); "
        f"{args.runs} rounds, each case once per round in random order\n"
    )
    for label, _, _ in REQUESTS:
        print(f"first request: {label}\n")
        print("| variant | median | p25-p75 |")
        print("|---|---|---|")
        for name in variants:
            q1, q2, q3 = quartiles(walls[label, name])
            print(f"| {name} | {q2 * 1000:,.0f} ms | {q1 * 1000:,.0f}-{q3 * 1000:,.0f} ms |")
        print("\n| paired ratio (per round) | median | p25-p75 |")
        print("|---|---|---|")
        for title, top, bottom in (
            ("after / before", "after", "before"),
            ("after, collector on / before", "after, collector on", "before"),
            (
                "after / after with the collector on (the gc change alone)",
                "after",
                "after, collector on",
            ),
        ):
            ratios = [a / b for a, b in zip(walls[label, top], walls[label, bottom], strict=True)]
            q1, q2, q3 = quartiles(ratios)
            print(f"| {title} | {q2:.2f}x | {q1:.2f}-{q3:.2f}x |")
        print()

    print("\n| zip (Python 3.12, arm64) | before | after |")
    print("|---|---|---|")
    for name in sorted(set(built["before"]) | set(built["after"])):
        cells = []
        for side in ("before", "after"):
            if name in built[side]:
                size, foreign = built[side][name]
                cells.append(f"{size / 1e6:.2f} MB ({foreign} foreign .pyc)")
            else:
                cells.append("-")
        print(f"| `{name}` | {cells[0]} | {cells[1]} |")
    totals = []
    for side, packager in (("before", before), ("after", ours)):
        names = ["lambda.zip", *(n for n in built[side] if n in _defaults(packager))]
        totals.append(sum(built[side][n][0] for n in names))
    print(f"| function + default layers | {totals[0] / 1e6:.2f} MB | {totals[1] / 1e6:.2f} MB |")
    raw = {" / ".join(key): [round(v * 1000) for v in values] for key, values in walls.items()}
    print(f"\nevery round, ms (in round order): {json.dumps(raw)}")


def _defaults(packager: ModuleType) -> set[str]:
    if hasattr(packager, "default_layer_zips"):
        return set(packager.default_layer_zips())
    return {"layer.zip"}


if __name__ == "__main__":
    main()
