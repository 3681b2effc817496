"""Where StereoSpot's own files are, found by looking for the workspace's lock file rather
than by counting parent folders (which breaks as soon as a file moves)."""

from __future__ import annotations

from pathlib import Path


def _workspace_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "uv.lock").is_file():
            return folder
    raise RuntimeError(f"no uv.lock above {start}: not inside the workspace")


REPO_ROOT = _workspace_root(Path(__file__).resolve().parent)
PACKAGE_ROOT = REPO_ROOT / "packages" / "stereospot"
DOCS = PACKAGE_ROOT / "docs"
