"""Builds the configured DepthEstimator: classical (default), onnx or torch.

A model is loaded once per process and kept: a worker converts many segments, runs the
job's prepass and the preview stills with the same model, and loading one (ONNX Runtime's
session, or torch's weights) costs far more than a segment's first frames. The cache is
keyed by the file's identity as well as its path, so a model replaced on disk (a new
`models fetch --revision`) is loaded again. ONNX Runtime sessions and the torch backend
take concurrent `estimate` calls, so one instance serves every thread.
"""

from __future__ import annotations

import functools
from pathlib import Path

from stereospot.engine.depth.port import DepthEstimator
from stereospot.engine.params import EngineParams


def make_estimator(params: EngineParams) -> DepthEstimator:
    if params.depth == "classical":
        from stereospot.engine.depth.classical import ClassicalDepth

        return ClassicalDepth()
    assert params.model is not None  # EngineParams.parse refuses a backend without one
    path = params.model.resolve()
    if not path.exists():
        raise FileNotFoundError(f"depth model not found: {params.model}")
    stat = path.stat()
    return _loaded(params.depth, path, stat.st_mtime_ns, stat.st_size, params.compile)


@functools.lru_cache(maxsize=2)
def _loaded(depth: str, model: Path, mtime_ns: int, size: int, compile: bool) -> DepthEstimator:
    if depth == "onnx":
        from stereospot.engine.depth.onnx_backend import OnnxDepth

        return OnnxDepth(model)
    from stereospot.engine.depth.torch_backend import TorchDepth

    return TorchDepth(model, compile=compile)
