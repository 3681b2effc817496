"""From an estimator's arbitrary-scale inverse depth to D in 0..1, stable over time.

Per-frame min-max normalisation makes the whole scene breathe whenever something enters the
frame, and restarting it at each segment makes the depth scale jump at every seam. So:
- within a run, the robust range (2nd and 98th percentiles) is smoothed by an exponential
  moving average, so D changes only as fast as the scene does;
- for a job, `prepass` samples frames across the whole source and fixes one range that
  every segment uses, so segments converted apart still agree at their seams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

LOW_PERCENTILE = 2.0
HIGH_PERCENTILE = 98.0
NORMALISATION_VERSION = 1
_SAMPLE_STRIDE = 4  # percentiles from every 4th pixel each way: 1/16 of the work, same value


def robust_range(depth: NDArray[np.float32]) -> tuple[float, float]:
    sample = depth[..., ::_SAMPLE_STRIDE, ::_SAMPLE_STRIDE]
    lo, hi = np.percentile(sample, (LOW_PERCENTILE, HIGH_PERCENTILE))
    return float(lo), float(hi)


@dataclass
class Normaliser:
    """Maps raw inverse depth to 0..1 with a fixed (job) or smoothed (EMA) range."""

    low: float | None = None
    high: float | None = None
    fixed: bool = False
    # Weight of the past per frame: 0.9 follows a change with a ~10-frame time constant.
    momentum: float = 0.9

    @classmethod
    def from_job(cls, normalisation: Mapping[str, Any] | None, backend: str) -> Normaliser:
        if not normalisation:
            return cls()
        if normalisation.get("version") != NORMALISATION_VERSION:
            raise ValueError(f"normalisation version {normalisation.get('version')!r} unknown")
        if normalisation.get("backend") != backend:
            raise ValueError(
                f"normalisation was made for depth backend {normalisation.get('backend')!r},"
                f" not {backend!r}: run the pre-pass again"
            )
        return cls(low=float(normalisation["low"]), high=float(normalisation["high"]), fixed=True)

    def __call__(self, depth: NDArray[np.float32]) -> NDArray[np.float32]:
        """Normalise one frame's (h, w) inverse depth."""
        if not self.fixed:
            lo, hi = robust_range(depth)
            if self.low is None or self.high is None:
                self.low, self.high = lo, hi
            else:
                m = self.momentum
                self.low = m * self.low + (1 - m) * lo
                self.high = m * self.high + (1 - m) * hi
        assert self.low is not None and self.high is not None
        span = max(self.high - self.low, 1e-6)
        out: NDArray[np.float32] = np.clip(
            (depth - np.float32(self.low)) * np.float32(1 / span), 0.0, 1.0
        ).astype(np.float32, copy=False)
        return out


def job_normalisation(ranges: list[tuple[float, float]], backend: str) -> dict[str, Any]:
    """One range for the whole job from sampled frames' ranges (medians resist outliers)."""
    if not ranges:
        raise ValueError("no frames sampled: cannot fix a normalisation")
    lows = np.array([r[0] for r in ranges])
    highs = np.array([r[1] for r in ranges])
    return {
        "version": NORMALISATION_VERSION,
        "backend": backend,
        "low": float(np.median(lows)),
        "high": float(np.median(highs)),
        "samples": len(ranges),
    }
