"""What the build tools share: the checkout they build from, its uv, and the one `uv export`
of Stellarr's runtime dependencies that both the Lambda package and the image start from.

Each tool passes its own file's location: bench/lambda_lean.py loads an older checkout's
packager by path, which must build from that checkout's lock, not this one's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Stellarr's runtime dependencies as the lock pins them, one requirement a line.
EXPORT_RUNTIME = (
    *("export", "--package", "stellarr", "--no-dev", "--frozen"),
    *("--no-emit-workspace", "--no-hashes", "--no-header", "--no-annotate"),
)


def workspace_root(start: Path, tool: str) -> Path:
    """The folder holding uv.lock above `start`."""
    for folder in start.parents:
        if (folder / "uv.lock").is_file():
            return folder
    raise SystemExit(f"{tool}: no uv.lock above {start}")


def uv_binary(root: Path) -> str | None:
    """The Makefile names uv's binary in UV, as `uv run` does; else the bootstrap's own
    (.cache/uv), else uv on PATH."""
    private = root / ".cache" / "uv" / "bin" / "uv"
    return os.environ.get("UV") or (str(private) if private.is_file() else shutil.which("uv"))
