"""What `make lambda` built, as its manifest (dist/lambda-package.json) describes it: the
function's zip and each layer's, with whether every function gets the layer or only one
whose settings need it (the Apprise layer: NOTIFY_URLS)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from stellarr.deploy.outputs import UsageError

MANIFEST = "lambda-package.json"


@dataclass(frozen=True)
class LayerZip:
    name: str
    path: Path
    # On every function; or only on one where this setting is set (NOTIFY_URLS).
    default: bool
    needed_by: str | None


@dataclass(frozen=True)
class LambdaPackage:
    function: Path
    layers: tuple[LayerZip, ...]

    @classmethod
    def read(cls, dist: Path) -> LambdaPackage:
        manifest = dist / MANIFEST
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            package = cls(
                dist / data["function"],
                tuple(
                    LayerZip(
                        layer["name"],
                        dist / layer["zip"],
                        bool(layer["default"]),
                        layer.get("needed_by"),
                    )
                    for layer in data["layers"]
                ),
            )
        except FileNotFoundError:
            raise UsageError(f"no {manifest}: run `make lambda` (or drop --no-build)") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{manifest} is not a package manifest: {exc}") from None
        absent = [p.name for p in (package.function, *(x.path for x in package.layers))]
        absent = [name for name in absent if not (dist / name).is_file()]
        if absent:
            raise UsageError(f"{dist} lacks {', '.join(absent)}: run `make lambda` again")
        return package


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"
