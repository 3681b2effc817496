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
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.store.dynamodb import DynamoDBTable, dynamodb_stores
from stellarr.store.ports import Stores
from stellarr_testing.paths import REPO_ROOT
from stellarr_testing.processes import NotReady, answers, free_port, stop, wait_until

CACHE_DIR = REPO_ROOT / ".cache" / "dynamodb-local"
NPM_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
JAR = "DynamoDBLocal.jar"
LIB = "DynamoDBLocal_lib"
URL_OVERRIDE = "STELLARR_DYNAMODB_LOCAL_URL"
TEST_CREDENTIALS = Credentials("test", "test")
TEST_REGION = "us-east-1"
STARTUP_ATTEMPTS = 600  # 60 s at the polling interval


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
            " (make test installs both)"
        )
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ddb-local-") as tmp:
        work = Path(tmp)
        fetched = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent"],
            cwd=work,
            timeout=900,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        tarballs = list(work.glob("*.tgz"))
        if fetched.returncode != 0 or len(tarballs) != 1:
            said = fetched.stderr.strip().splitlines()[-1:] or ["no output"]
            raise DynamoDBLocalUnavailable(f"npm pack {NPM_PACKAGE} failed: {said[0]}")
        _unpack(tarballs[0], work / "x")
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


def _unpack(tarball: Path, into: Path) -> None:
    """Every entry checked to land inside `into` first: extractall's `filter` argument
    needs Python 3.11.4, and Debian 12 has 3.11.2."""
    root = into.resolve()
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            target = (root / member.name).resolve()
            points_to = (target.parent / member.linkname).resolve() if member.issym() else target
            inside = target.is_relative_to(root) and points_to.is_relative_to(root)
            if not inside or member.islnk() or member.isdev():
                raise DynamoDBLocalUnavailable(
                    f"{tarball.name} holds {member.name!r} outside itself"
                )
        archive.extractall(into)


def check_available() -> None:
    """Raise DynamoDBLocalUnavailable, with what to install, unless a server can start:
    Java on PATH and the jar in the cache (fetched here once). Checked once per process: a
    run that lacks them fails once with the reason, not once per test."""
    if os.environ.get(URL_OVERRIDE):
        return
    if _Shared.unavailable is None:
        try:
            if shutil.which("java") is None:
                raise DynamoDBLocalUnavailable(
                    "DynamoDB Local needs Java 17+ on PATH"
                    " (make test installs it: apt-get install openjdk-17-jre-headless)"
                )
            ensure_jar()
            _Shared.unavailable = ""
        except DynamoDBLocalUnavailable as error:
            _Shared.unavailable = str(error)
        except (OSError, subprocess.SubprocessError) as error:
            _Shared.unavailable = f"fetching {NPM_PACKAGE} failed: {error}"
    if _Shared.unavailable:
        raise DynamoDBLocalUnavailable(_Shared.unavailable)


class _Shared:
    """One JVM per test process, however many suites (contract, integration) ask for it."""

    lock = threading.Lock()
    url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    users = 0
    unavailable: str | None = None  # None: not checked yet; "": available


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
    check_available()
    java = shutil.which("java")
    assert java is not None  # check_available() saw it
    home = ensure_jar()
    port = free_port()
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
    try:
        wait_until(lambda: answers(url), process, "DynamoDB Local", STARTUP_ATTEMPTS)
    except NotReady as exc:
        stop(process)
        output.seek(0)
        log = output.read()[-2000:].decode(errors="replace")
        output.close()
        raise DynamoDBLocalUnavailable(f"{exc} on {url}:\n{log}") from None
    return process, url, output


def _shutdown() -> None:
    if _Shared.process is not None:
        stop(_Shared.process)
    if _Shared.log is not None:
        _Shared.log.close()
    _Shared.process = _Shared.url = _Shared.log = None


def make_dynamodb_client(endpoint_url: str) -> DynamoDBClient:
    return DynamoDBClient(
        credentials=TEST_CREDENTIALS, region=TEST_REGION, endpoint_url=endpoint_url
    )


def make_dynamodb_table(endpoint_url: str, table: str) -> DynamoDBTable:
    """A table handle that creates its table (TTL enabled) when opened."""
    client = make_dynamodb_client(endpoint_url)
    return DynamoDBTable(table, client, create_table=True, owns_client=True)


def make_dynamodb_stores(endpoint_url: str, table: str) -> Stores:
    return dynamodb_stores(make_dynamodb_table(endpoint_url, table))
