"""Builds the configured DepthEstimator: classical (default), onnx or torch."""

from __future__ import annotations

from stereospot.engine.depth.port import DepthEstimator
from stereospot.engine.params import EngineParams


def make_estimator(params: EngineParams) -> DepthEstimator:
    if params.depth == "classical":
        from stereospot.engine.depth.classical import ClassicalDepth

        return ClassicalDepth()
    assert params.model is not None  # EngineParams.parse refuses a backend without one
    if params.depth == "onnx":
        from stereospot.engine.depth.onnx_backend import OnnxDepth

        return OnnxDepth(params.model)
    from stereospot.engine.depth.torch_backend import TorchDepth

    return TorchDepth(params.model, compile=params.compile)
