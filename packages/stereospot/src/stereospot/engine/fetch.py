"""Depth models from the Hugging Face Hub, pinned by commit and SHA-256 in a lock file.

`huggingface_hub` does the transfer (resume of an interrupted download, a cache under the
model folder, the hub's own integrity headers); this module decides what is fetched and
whether it may be installed:

- the first fetch of a model resolves its revision (`main` unless `revision` says) to a
  commit, and records that commit and the file's SHA-256 in `models.lock.json` beside the
  models;
- every later fetch asks the hub for the *recorded commit*, not `main`, and installs the
  file only when its SHA-256 is the recorded one: a moved branch or a changed file is
  refused, never silently taken;
- an explicit `revision` re-pins: the lock then records what it resolved to;
- the hub's checksum of the file (its LFS ETag, a SHA-256) must match the bytes too.

Installed, an ONNX model is `<folder>/<name>.onnx` and a torch model (a Transformers
checkpoint: its config, weights and preprocessor config) the folder `<folder>/<name>/`;
that name is what jobs and the inference contract use. A torch model's files are fetched
from one commit and each is pinned by its own SHA-256; its lock entry's `sha256` is the
digest of that list, so one value still names the whole model.
Nobody could read a commit or checksum from this build machine (the hub is unreachable), so
none is pinned in this file: the lock file is where a deployment's pins live, and `verify`
checks the installed files against it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
LOCK_FILE = "models.lock.json"
CACHE_FOLDER = ".hub-cache"  # huggingface_hub's cache, inside the model folder
_COMMIT = re.compile(r"[0-9a-f]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class FetchError(Exception):
    """A model that cannot be fetched or verified; the message says why."""


class ChecksumMismatch(FetchError):
    pass


@dataclass(frozen=True)
class HubModel:
    repo_id: str
    files: tuple[str, ...]  # paths in the repository; more than one: a folder model
    license: str

    @property
    def filename(self) -> str:
        """The one file of an ONNX model; for a folder, the files joined by commas."""
        return ",".join(self.files)

    @property
    def is_folder(self) -> bool:
        return len(self.files) > 1

    def installed_as(self, name: str) -> str:
        return name if self.is_folder else f"{name}.onnx"


# Depth-Anything-V2: ONNX exports for the onnx backend, Transformers checkpoints for torch
# (relative inverse depth, both).
_TORCH_FILES = ("config.json", "model.safetensors", "preprocessor_config.json")
KNOWN: dict[str, HubModel] = {
    "depth-anything-v2-small": HubModel(
        "onnx-community/depth-anything-v2-small", ("onnx/model.onnx",), "Apache-2.0"
    ),
    "depth-anything-v2-base": HubModel(
        "onnx-community/depth-anything-v2-base", ("onnx/model.onnx",), "CC-BY-NC-4.0"
    ),
    "depth-anything-v2-large": HubModel(
        "onnx-community/depth-anything-v2-large", ("onnx/model.onnx",), "CC-BY-NC-4.0"
    ),
    "depth-anything-v2-small-torch": HubModel(
        "depth-anything/Depth-Anything-V2-Small-hf", _TORCH_FILES, "Apache-2.0"
    ),
    "depth-anything-v2-base-torch": HubModel(
        "depth-anything/Depth-Anything-V2-Base-hf", _TORCH_FILES, "CC-BY-NC-4.0"
    ),
    "depth-anything-v2-large-torch": HubModel(
        "depth-anything/Depth-Anything-V2-Large-hf", _TORCH_FILES, "CC-BY-NC-4.0"
    ),
}


@dataclass(frozen=True)
class Pin:
    repo_id: str
    filename: str
    revision: str  # a commit
    sha256: str  # of the file; of a folder model, of its `files` list (folder_digest)
    size: int
    files: dict[str, str] | None = None  # a folder model: each file's SHA-256


def folder_digest(files: Mapping[str, str]) -> str:
    """One SHA-256 for a folder model: of its files' names and digests, sorted."""
    listing = "".join(f"{name} {sha}\n" for name, sha in sorted(files.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


@dataclass(frozen=True)
class Fetched:
    path: Path
    pin: Pin
    repinned_from: str | None  # the commit the lock held before an explicit --revision


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def read_lock(folder: Path) -> dict[str, Pin]:
    path = folder / LOCK_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text())
        return {name: Pin(**entry) for name, entry in raw["models"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"{path} is not a models lock file ({exc})") from None


def write_lock(folder: Path, pins: Mapping[str, Pin]) -> None:
    path = folder / LOCK_FILE
    entries = {name: asdict(pin) for name, pin in sorted(pins.items())}
    for entry in entries.values():
        if entry["files"] is None:
            del entry["files"]  # an ONNX model's entry, as it always was
    body = {"models": entries}
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(body, indent=2) + "\n")
    os.replace(partial, path)


def fetch_model(
    name: str,
    folder: Path,
    *,
    revision: str | None = None,
    endpoint: str | None = None,
    progress: bool = True,
) -> Fetched:
    """Install KNOWN[name] in `folder`, pinned (see the module's text)."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError

    known = KNOWN[name]
    pins = read_lock(folder)
    pinned = pins.get(name)
    asked = revision or (pinned.revision if pinned else "main")
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
    dest = folder / known.installed_as(name)
    blobs: dict[str, Path] = {}
    digests: dict[str, str] = {}
    try:
        commit = asked
        for index, path in enumerate(known.files):
            # The first file's answer names the commit; the others are asked for by it.
            url = hf_hub_url(known.repo_id, path, revision=commit, endpoint=endpoint)
            meta = get_hf_file_metadata(url, endpoint=endpoint)
            if index == 0:
                commit = meta.commit_hash or ""
                if not _COMMIT.fullmatch(commit):
                    raise FetchError(f"the hub named no commit for {known.repo_id}@{asked}")
                if pinned and pinned.revision == commit and _intact(dest, pinned):
                    return Fetched(dest, pinned, None)
                folder.mkdir(parents=True, exist_ok=True)
            blob = Path(
                hf_hub_download(
                    known.repo_id,
                    path,
                    revision=commit,
                    cache_dir=folder / CACHE_FOLDER,
                    endpoint=endpoint,
                    tqdm_class=None if progress else _Silent,
                )
            ).resolve()
            actual = sha256_of(blob)
            hub_says = (meta.etag or "").strip('"').lower()
            if _SHA256.fullmatch(hub_says) and hub_says != actual:
                blob.unlink(missing_ok=True)
                raise ChecksumMismatch(
                    f"{name}: {path}: the bytes' SHA-256 is {actual}; the hub's checksum is "
                    f"{hub_says}; nothing was installed"
                )
            blobs[path], digests[path] = blob, actual
    except HfHubHTTPError as exc:
        raise FetchError(f"{known.repo_id}@{asked}: {_first_line(exc)}") from None
    except OSError as exc:  # the hub unreachable, the disk full
        raise FetchError(f"{known.repo_id}@{asked}: {type(exc).__name__}: {exc}") from None
    files = {Path(path).name: sha for path, sha in digests.items()}
    sha = folder_digest(files) if known.is_folder else digests[known.files[0]]
    expected = pinned.sha256 if pinned and pinned.revision == commit else None
    if expected and sha != expected:
        for blob in blobs.values():
            blob.unlink(missing_ok=True)  # not kept in the cache for the next try either
        what = "its files' digest" if known.is_folder else "SHA-256"
        raise ChecksumMismatch(
            f"{name}: commit {commit} gave {what} {sha}; the lock file records {expected}; "
            "nothing was installed"
        )
    if known.is_folder:
        _install_folder({Path(p).name: blob for p, blob in blobs.items()}, dest)
        size = sum(f.stat().st_size for f in dest.iterdir())
    else:
        _install(blobs[known.files[0]], dest)
        size = dest.stat().st_size
    pin = Pin(
        known.repo_id,
        known.filename,
        commit,
        sha,
        size,
        files if known.is_folder else None,
    )
    pins[name] = pin
    write_lock(folder, pins)
    moved = pinned.revision if pinned and pinned.revision != commit else None
    return Fetched(dest, pin, moved)


def _intact(dest: Path, pin: Pin) -> bool:
    """Whether what is installed at `dest` is what `pin` records."""
    if pin.files is None:
        return dest.is_file() and sha256_of(dest) == pin.sha256
    return dest.is_dir() and all(
        (dest / file).is_file() and sha256_of(dest / file) == sha for file, sha in pin.files.items()
    )


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    detail: str


def verify(folder: Path, names: list[str] | None = None) -> list[Verdict]:
    """Each pinned model (or each of `names`) checked against the lock file."""
    pins = read_lock(folder)
    verdicts = []
    for name in names or sorted(pins):
        pin = pins.get(name)
        if pin is None:
            verdicts.append(Verdict(name, False, f"not in {LOCK_FILE}: fetch it to pin it"))
            continue
        known = KNOWN.get(name)
        path = folder / (known.installed_as(name) if known else f"{name}.onnx")
        if not path.exists():
            verdicts.append(Verdict(name, False, f"{path.name} is missing"))
            continue
        if pin.files is not None:
            bad = [
                file
                for file, sha in sorted(pin.files.items())
                if not (path / file).is_file() or sha256_of(path / file) != sha
            ]
            if bad:
                verdicts.append(Verdict(name, False, f"{', '.join(bad)} missing or changed"))
            else:
                detail = f"{pin.repo_id}@{pin.revision[:12]} {len(pin.files)} files {pin.sha256}"
                verdicts.append(Verdict(name, True, detail))
            continue
        actual = sha256_of(path)
        if actual != pin.sha256:
            verdicts.append(Verdict(name, False, f"SHA-256 {actual}, the lock says {pin.sha256}"))
        else:
            verdicts.append(Verdict(name, True, f"{pin.repo_id}@{pin.revision[:12]} {actual}"))
    return verdicts


def _install(blob: Path, dest: Path) -> None:
    """The cached blob at `dest`, whole or not at all: a hard link where the file system
    allows (no second copy of a large model), else a copy; then a rename."""
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        os.link(blob, partial)
    except OSError:
        shutil.copyfile(blob, partial)
    os.replace(partial, dest)


def _install_folder(blobs: Mapping[str, Path], dest: Path) -> None:
    """The cached blobs as the folder `dest`: built beside it, then swapped in by two
    renames (a crash between them leaves the old folder as `.NAME.old` and none at `dest`,
    so the next fetch installs it again; a half-built folder is never at `dest`)."""
    partial = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, blob in blobs.items():
        _install(blob, partial / name)
    old = dest.with_name(f".{dest.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.replace(dest, old)
    os.replace(partial, dest)
    shutil.rmtree(old, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class _Silent:
    """A tqdm stand-in that shows nothing (`--quiet`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, *args: Any) -> None:
        pass

    def close(self) -> None:
        pass
