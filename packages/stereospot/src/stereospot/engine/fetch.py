"""Model downloads: checksum-verified, resumable, and never a half file under the final name.

The bytes go to `<name>.part` beside the destination. An interrupted transfer is resumed
with an HTTP Range request when the server honours it (206), and restarted from zero when
it does not (200). Only a file whose SHA-256 matches is renamed into place; a mismatch
deletes the part and refuses.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

CHUNK = 1 << 20
ATTEMPTS = 5

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


class FetchError(Exception):
    """A download that cannot complete; the message says why."""


class ChecksumMismatch(FetchError):
    pass


@dataclass(frozen=True)
class KnownModel:
    url: str
    filename: str
    sha256: str | None  # None: not pinned here; the caller must give --sha256


# Depth-Anything-V2 ONNX exports (relative inverse depth; Apache-2.0 for Small only).
# Their checksums are not pinned in this file because none could be verified from this
# offline build machine; `stereospot models fetch` then asks for --sha256.
KNOWN: dict[str, KnownModel] = {
    "depth-anything-v2-small": KnownModel(
        "https://huggingface.co/onnx-community/depth-anything-v2-small/resolve/main/onnx/model.onnx",
        "depth-anything-v2-small.onnx",
        None,
    ),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    url: str,
    dest: Path,
    sha256: str,
    *,
    client: httpx.Client,
    progress: Progress | None = None,
    attempts: int = ATTEMPTS,
) -> Path:
    """Download `url` to `dest`, verifying `sha256`; resumes a `.part` left by a failed run."""
    expected = sha256.lower()
    if dest.exists() and sha256_of(dest) == expected:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last_error: Exception | None = None
    for _ in range(attempts):
        try:
            _transfer(url, part, client, progress)
            break
        except httpx.TransportError as exc:  # connection dropped: resume on the next try
            last_error = exc
    else:
        raise FetchError(f"download of {url} failed after {attempts} tries: {last_error}")
    actual = sha256_of(part)
    if actual != expected:
        part.unlink()
        raise ChecksumMismatch(f"checksum mismatch for {url}: got {actual}, expected {expected}")
    os.replace(part, dest)
    return dest


def _transfer(url: str, part: Path, client: httpx.Client, progress: Progress | None) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and have:
            return  # the part already holds every byte; the checksum decides
        if response.status_code not in (200, 206):
            raise FetchError(f"{url} answered HTTP {response.status_code}")
        resumed = response.status_code == 206 and _range_start(response) == have
        offset = have if resumed else 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        with part.open("ab" if resumed else "wb") as f:
            done = offset
            for block in response.iter_bytes():  # as received: a drop loses nothing kept
                f.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)


def _range_start(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Range", "")  # "bytes START-END/TOTAL"
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def text_progress(stream: TextIO | None = None) -> Progress:
    """A one-line progress bar on stderr."""
    out = stream or sys.stderr

    def show(done: int, total: int | None) -> None:
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            line = f"\r[{bar}] {done / 1e6:8.1f} / {total / 1e6:.1f} MB"
        else:
            line = f"\r{done / 1e6:8.1f} MB"
        print(line, end="" if done != total else "\n", file=out, flush=True)

    return show
