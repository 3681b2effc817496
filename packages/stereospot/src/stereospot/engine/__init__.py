"""The stereo conversion engine: depth estimation and DIBR rendering of video.

Public surface (what the pipeline and the CLI use):
- `convert_file(src, dst, params, progress)` and `prepass(src, params)` (engine.convert);
- `tagged_output_path(path, format)` and `StereoFormat` (engine.formats);
- `write_preview(src, params, depth_png, stereo_png)` (engine.preview).
Submodules are imported on use: `import stereospot.engine` costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["StereoFormat", "convert_file", "prepass", "tagged_output_path", "write_preview"]

if TYPE_CHECKING:
    from stereospot.engine.convert import convert_file, prepass
    from stereospot.engine.formats import StereoFormat, tagged_output_path
    from stereospot.engine.preview import write_preview

_HOMES = {
    "convert_file": "convert",
    "prepass": "convert",
    "StereoFormat": "formats",
    "tagged_output_path": "formats",
    "write_preview": "preview",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
