"""The local database's files are this user's alone, like the token and key beside them:
0600 in a 0700 folder, whatever the umask, and an older world-readable file is closed up."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from stereospot.local.database import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)  # what most systems give: new files 0644
    yield
    os.umask(old)


def test_a_new_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "stereospot.db"
    database = Database(path)
    database.open()
    try:
        database.write(lambda conn: conn.execute("CREATE TABLE probe (x)"))
        files = [path, *(p for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))]
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert path.name + "-wal" in {p.name for p in files}  # SQLite's WAL, like the file
        assert mode(path.parent) == 0o700
    finally:
        database.close()


def test_an_older_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "stereospot.db"
    sqlite3.connect(path).close()
    assert mode(path) == 0o644
    database = Database(path)
    database.open()
    database.close()
    assert mode(path) == 0o600
