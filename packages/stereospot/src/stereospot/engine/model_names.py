"""Depth models by name. Jobs and inference requests carry a model's *name*, found in the
model folder (STEREOSPOT_MODEL_DIR), never a path: whoever may send a request must not be
able to make the engine open any file the server can read. Only local callers of the
engine's Python API (the benches, `convert_file`) hand it a path of their own.

Stdlib only, so that checking a request costs no engine import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# How depth is estimated: the classical estimator needs nothing; the others run a model.
DEPTH_BACKENDS = ("classical", "onnx", "torch")

# A file or folder name: no separator, no leading dot (so neither `.` nor `..`).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class ModelNameError(ValueError):
    """params.model is not a model name, or names no model; the message says which."""


def check_model_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise ModelNameError(
            "params.model must be a model's name in the model folder (letters, digits, "
            "'.', '_', '-'; no path)"
        )
    return name


def resolve_model(name: object, folder: Path) -> Path:
    """The model called `name` in `folder`: a file (ONNX) or a folder (torch)."""
    path = folder / check_model_name(name)
    if not path.exists():
        raise ModelNameError(f"no model named {name!r} in the model folder")
    return path


def with_model_path(params: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """The engine's params with a named model replaced by its path in `folder`."""
    resolved = dict(params)
    if resolved.get("model") is not None:
        resolved["model"] = str(resolve_model(resolved["model"], folder).absolute())
    return resolved


def backend_of(path: Path) -> str | None:
    """The depth backend that reads `path`: an .onnx file is ONNX, a folder holding a
    Hugging Face config.json is torch; None for anything else."""
    if path.is_file() and path.suffix.lower() == ".onnx":
        return "onnx"
    if path.is_dir() and (path / "config.json").is_file():
        return "torch"
    return None


def installed(folder: Path) -> dict[str, str]:
    """{name: backend} of the models in `folder`, sorted by name; {} when there is none."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        backend = backend_of(path)
        if backend is not None and _NAME.fullmatch(path.name) and ".." not in path.name:
            found[path.name] = backend
    return found
