"""AWS's own DynamoDB Local for tests: fetched once via npm, run from .cache/, always killed.

The jar comes from the `amplify-dynamodb-simulator` npm package (its `emulator/` folder is
the unmodified DynamoDB Local distribution) and is cached in the git-ignored
`.cache/dynamodb-local/`. Set STELLARR_DYNAMODB_LOCAL_URL to use an already running one.

DynamoDB Local has no flag to choose the listen address, so it listens on every interface;
it only ever holds throwaway in-memory tables, and we only ever talk to it on 127.0.0.1.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.store.dynamodb import DynamoDBStore

REPO_ROOT = Path(__file__).resolve().parents[4]
CACHE_DIR = REPO_ROOT / ".cache" / "dynamodb-local"
NPM_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
JAR = "DynamoDBLocal.jar"
LIB = "DynamoDBLocal_lib"
URL_OVERRIDE = "STELLARR_DYNAMODB_LOCAL_URL"
TEST_CREDENTIALS = Credentials("test", "test")
TEST_REGION = "us-east-1"
STARTUP_TIMEOUT = 60.0


class DynamoDBLocalUnavailable(RuntimeError):
    """Java, npm or the jar is missing; the message says what to install."""


def ensure_jar(cache_dir: Path = CACHE_DIR) -> Path:
    """The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib, downloading it if needed."""
    if (cache_dir / JAR).is_file() and (cache_dir / LIB).is_dir():
        return cache_dir
    npm = shutil.which("npm")
    if npm is None:
        raise DynamoDBLocalUnavailable(
            f"DynamoDB Local is not in {cache_dir} and npm is not installed to fetch it"
        )
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ddb-local-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent"],
            cwd=work,
            check=True,
            timeout=900,
            stdout=subprocess.DEVNULL,
        )
        tarballs = list(work.glob("*.tgz"))
        if len(tarballs) != 1:
            raise DynamoDBLocalUnavailable(f"npm pack {NPM_PACKAGE} produced {tarballs}")
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(work / "x", filter="data")
        found = [p.parent for p in (work / "x").rglob(JAR) if (p.parent / LIB).is_dir()]
        if not found:
            raise DynamoDBLocalUnavailable(f"{NPM_PACKAGE} holds no {JAR} next to {LIB}")
        # Copy beside the cache then rename, so parallel runs never see a half-copied jar.
        staging = cache_dir.parent / f".{cache_dir.name}.{os.getpid()}"
        shutil.copytree(found[0], staging)
        try:
            staging.rename(cache_dir)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not (cache_dir / JAR).is_file():
                raise
    return cache_dir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        # Any HTTP answer (even 400 for the unsigned request) means the server is up.
        httpx.post(url, timeout=1.0)
    except httpx.TransportError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class _Shared:
    """One JVM per test process, however many suites (contract, integration) ask for it."""

    lock = threading.Lock()
    url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    users = 0


@contextmanager
def dynamodb_local() -> Iterator[str]:
    """An in-memory DynamoDB Local for the duration; yields its http://127.0.0.1 URL.

    Nested or overlapping uses share one server, stopped when the last one exits; give
    each test its own table name.
    """
    override = os.environ.get(URL_OVERRIDE)
    if override:
        yield override.rstrip("/")
        return
    with _Shared.lock:
        if _Shared.users == 0:
            _Shared.process, _Shared.url, _Shared.log = _start()
            # atexit covers interpreters that die without unwinding this context manager.
            atexit.register(_shutdown)
        _Shared.users += 1
        url = _Shared.url
    assert url is not None
    try:
        yield url
    finally:
        with _Shared.lock:
            _Shared.users -= 1
            if _Shared.users == 0:
                _shutdown()
                atexit.unregister(_shutdown)


def _start() -> tuple[subprocess.Popen[bytes], str, IO[bytes]]:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalUnavailable(
            "DynamoDB Local needs Java 17+ on PATH (e.g. apt-get install openjdk-17-jre-headless)"
        )
    home = ensure_jar()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    output = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            java,
            "-Xmx512m",
            f"-Djava.library.path={home / LIB}",
            "-jar",
            str(home / JAR),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(port),
        ],
        cwd=home,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            output.seek(0)
            log = output.read()[-2000:].decode(errors="replace")
            output.close()
            raise DynamoDBLocalUnavailable(f"DynamoDB Local did not start on {url}:\n{log}")
        time.sleep(0.2)
    return process, url, output


def _shutdown() -> None:
    if _Shared.process is not None:
        _stop(_Shared.process)
    if _Shared.log is not None:
        _Shared.log.close()
    _Shared.process = _Shared.url = _Shared.log = None


def make_dynamodb_client(endpoint_url: str) -> DynamoDBClient:
    return DynamoDBClient(
        credentials=TEST_CREDENTIALS, region=TEST_REGION, endpoint_url=endpoint_url
    )


async def make_dynamodb_store(endpoint_url: str, table: str) -> DynamoDBStore:
    """A DynamoDBStore on a freshly created table (TTL enabled), already opened."""
    store = DynamoDBStore(table, make_dynamodb_client(endpoint_url), create_table=True)
    await store.open()
    return store
