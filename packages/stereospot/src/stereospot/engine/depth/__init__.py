"""Depth estimation behind one port; see `port.DepthEstimator` and `factory.make_estimator`."""

from stereospot.engine.depth.factory import make_estimator
from stereospot.engine.depth.port import DepthEstimator

__all__ = ["DepthEstimator", "make_estimator"]
