"""axe-core, StereoSpot's own copy: the npm package at a pinned version, fetched with `npm
pack` on first use into the workspace's .cache/ and checked against the registry's
integrity hash (never from Stellarr's web build, which a StereoSpot-only checkout lacks).
Where npm is absent the tests that scan say so and skip; `make test` has it."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

from stereospot_testing.paths import REPO_ROOT

VERSION = "4.14.1"
# package-lock's "integrity" for axe-core 4.14.1: the tarball's SHA-512, base64.
INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76"
    "ASyFNNtuFooJpZe37OgudVGtQ=="
)
CACHED = REPO_ROOT / ".cache" / "axe-core" / VERSION / "axe.min.js"


def axe_source() -> str:
    """axe.min.js, fetched once."""
    if not CACHED.is_file():
        _fetch()
    return CACHED.read_text(encoding="utf-8")


def _fetch() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"axe-core is not in {CACHED.parent} and npm is not here to fetch it")
    with tempfile.TemporaryDirectory(prefix="axe-core-") as tmp:
        work = Path(tmp)
        done = subprocess.run(
            [npm, "pack", f"axe-core@{VERSION}", "--silent"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
        )
        tarballs = list(work.glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            raise RuntimeError(f"npm pack axe-core@{VERSION} failed: {done.stderr.strip()}")
        digest = base64.b64encode(hashlib.sha512(tarballs[0].read_bytes()).digest()).decode()
        if f"sha512-{digest}" != INTEGRITY:
            raise RuntimeError(f"axe-core@{VERSION}: the tarball does not match its integrity")
        with tarfile.open(tarballs[0]) as archive:
            member = archive.getmember("package/axe.min.js")
            source = archive.extractfile(member)
            assert source is not None
            data = source.read()
        CACHED.parent.mkdir(parents=True, exist_ok=True)
        staging = CACHED.with_name(f".axe.min.js.{os.getpid()}")
        staging.write_bytes(data)
        staging.replace(CACHED)  # whole or not at all, for parallel runs


def violations(page: Any) -> list[str]:
    """Every axe-core violation on the page as it is now (WCAG 2.2 A and AA, and axe's best
    practices), one line per offending node. Run through DevTools, so the page's own CSP
    (script-src 'self') stays as it is."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source()}\n }}")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await window.axe.run(document, { resultTypes: ['violations'] });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ')) }));
        }"""
    )
    return [f"[{v['impact']}] {v['id']}: {v['help']} -> {n}" for v in found for n in v["nodes"]]
