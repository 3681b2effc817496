"""The comfort report: how much parallax a conversion shows, and what divergence suits it.

Parallax is the horizontal offset between the eyes as a percentage of the frame width,
positive in front of the screen (crossed). With the iw3 convention it is
`(D - convergence) * divergence` for normalised inverse depth D.

Limits follow the broadcast 3D guideline (Sky 3D technical guidelines): at most 1 % of the
width in front of the screen and 2 % behind it for comfortable viewing. A frame is "beyond"
when its 99th-percentile parallax is past either limit (its 1st percentile, behind).

A frame has a border violation when near content reaches the frame's left or right edge:
some pixel in the outermost 0.5 % of the columns has crossed parallax above 0.2 % of the
width, counted after the renderer's border fade (`dibr.border_ramp`), as rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stereospot.engine.comfort_limits import BEHIND_LIMIT_PCT, FRONT_LIMIT_PCT
from stereospot.engine.dibr import border_ramp

COMFORTABLE_SHARE = 0.95  # the suggestion keeps this share of frames within the limits
SUGGESTION_RANGE = (0.5, 5.0)
EDGE_COLUMNS = 0.005  # share of the width, each side, that counts as the frame's edge
EDGE_PARALLAX_PCT = 0.2  # crossed parallax there above this is a border violation


@dataclass
class ComfortMeter:
    convergence: float
    divergence: float
    border_fade: float = 0.0
    near: list[float] = field(default_factory=list)  # per frame: 99th percentile of D
    far: list[float] = field(default_factory=list)  # 1st percentile of D
    mean: list[float] = field(default_factory=list)  # mean D
    edge: list[float] = field(default_factory=list)  # largest crossed parallax at the edges

    def add(self, depth: NDArray[np.float32]) -> None:
        sample = depth[::2, ::2]
        lo, hi = np.percentile(sample, (1.0, 99.0))
        self.far.append(float(lo))
        self.near.append(float(hi))
        self.mean.append(float(sample.mean()))
        width = depth.shape[1]
        cols = max(1, round(EDGE_COLUMNS * width))
        ramp = border_ramp(width, self.border_fade)
        edges = np.concatenate((np.arange(cols), np.arange(width - cols, width)))
        crossed = (depth[:, edges] - self.convergence) * self.divergence * ramp[edges]
        self.edge.append(float(crossed.max()))

    def parallax(self, d: NDArray[np.float64]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = (d - self.convergence) * self.divergence
        return out

    def report(self) -> dict[str, Any]:
        if not self.near:
            return {"frames": 0}
        near = np.array(self.near)
        far = np.array(self.far)
        front = self.parallax(near)
        behind = -self.parallax(far)
        beyond = (front > FRONT_LIMIT_PCT + 1e-9) | (behind > BEHIND_LIMIT_PCT + 1e-9)
        mean = self.parallax(np.array(self.mean))
        steps = np.abs(np.diff(mean)) if len(mean) > 1 else np.zeros(1)
        return {
            "frames": len(near),
            "parallax_range_pct": [round(float(-behind.max()), 3), round(float(front.max()), 3)],
            "parallax_p50_range_pct": [
                round(float(-np.median(behind)), 3),
                round(float(np.median(front)), 3),
            ],
            "limits_pct": {"front": FRONT_LIMIT_PCT, "behind": BEHIND_LIMIT_PCT},
            "beyond_share": round(float(beyond.mean()), 4),
            "suggested_divergence": self.suggest(near, far),
            "mean_parallax_first_pct": round(float(mean[0]), 4),
            "mean_parallax_last_pct": round(float(mean[-1]), 4),
            "flicker_pct": round(float(steps.mean()), 5),
            "border_violation_share": round(
                float(np.mean(np.array(self.edge) > EDGE_PARALLAX_PCT)), 4
            ),
        }

    def suggest(self, near: NDArray[np.float64], far: NDArray[np.float64]) -> float:
        """The largest divergence that keeps COMFORTABLE_SHARE of frames within the limits."""
        c = self.convergence
        with np.errstate(divide="ignore"):
            by_front = np.where(near > c, FRONT_LIMIT_PCT / np.maximum(near - c, 1e-9), np.inf)
            by_behind = np.where(far < c, BEHIND_LIMIT_PCT / np.maximum(c - far, 1e-9), np.inf)
        allowed = np.minimum(by_front, by_behind)
        value = float(np.quantile(allowed, 1 - COMFORTABLE_SHARE, method="lower"))
        low, high = SUGGESTION_RANGE
        return round(min(max(value, low), high), 1)
