"""The engine's job parameters: parsed once from the JSON-able mapping the pipeline carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stereospot.engine.formats import StereoFormat
from stereospot.engine.model_names import DEPTH_BACKENDS


class ParamsError(ValueError):
    """A parameter the engine cannot use; the message says which and why."""


@dataclass(frozen=True)
class EngineParams:
    format: StereoFormat = StereoFormat.HALF_SBS
    # Percent of the frame width between the two eyes' extreme shifts (iw3's convention).
    divergence: float = 2.0
    # Normalised depth that lands on the screen plane: nearer pops out, farther recedes.
    convergence: float = 0.5
    depth: str = "classical"
    model: Path | None = None
    normalisation: Mapping[str, Any] | None = None
    batch: int = 8
    # Pixels by which foreground depth is widened before warping, so anti-aliased edge
    # pixels travel with the foreground instead of leaving a ghost on the background.
    edge_dilation: int = 1  # 1 px scored best on Middlebury (bench/quality.py)
    # Share of the width over which out-of-screen parallax fades to zero at the left and
    # right edges, so the frame's edge never cuts near content (dibr.border_ramp).
    border_fade: float = 0.04
    # EMA weight of the past for the depth range when no job normalisation is given.
    smoothing: float = 0.9
    preset: str = "veryfast"
    crf: int = 18
    compile: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> EngineParams:
        try:
            fmt = StereoFormat.parse(str(raw.get("format", "half-sbs")))
        except ValueError as exc:
            raise ParamsError(str(exc)) from exc
        divergence = _number(raw, "divergence", 2.0, 0.0, 10.0)
        convergence = _number(raw, "convergence", 0.5, 0.0, 1.0)
        depth = str(raw.get("depth", "classical"))
        if depth not in DEPTH_BACKENDS:
            raise ParamsError(f"depth must be one of {', '.join(DEPTH_BACKENDS)}, not {depth!r}")
        model = raw.get("model")
        if depth != "classical" and not model:
            raise ParamsError(f"depth={depth} needs a model path (params['model'])")
        batch = int(_number(raw, "batch", 8, 1, 256))
        norm = raw.get("normalisation")
        if norm is not None and not isinstance(norm, Mapping):
            raise ParamsError("normalisation must be the mapping prepass() returned")
        return cls(
            format=fmt,
            divergence=divergence,
            convergence=convergence,
            depth=depth,
            model=Path(model) if model else None,
            normalisation=norm,
            batch=batch,
            edge_dilation=int(_number(raw, "edge_dilation", 1, 0, 16)),
            border_fade=_number(raw, "border_fade", 0.04, 0.0, 0.25),
            smoothing=_number(raw, "smoothing", 0.9, 0.0, 0.99),
            preset=str(raw.get("preset", "veryfast")),
            crf=int(_number(raw, "crf", 18, 0, 51)),
            compile=bool(raw.get("compile", False)),
        )


def _number(raw: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ParamsError(f"{key} must be a number, not {value!r}") from exc
    if not low <= number <= high:
        raise ParamsError(f"{key} must be between {low:g} and {high:g}, not {number:g}")
    return number
