"""One comfort report for a whole job, from its segments' reports (the engine writes one
per segment; a film is many segments). Frame-weighted where the segments' figures are
shares, the extremes where they are ranges, the smallest suggestion where they advise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Past this share of frames beyond a comfort limit, the summary advises a lower strength.
ADVISE_ABOVE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class ComfortSummary:
    frames: int
    parallax_range_pct: tuple[float, float]  # (behind, in front): negative is behind
    limits_pct: tuple[float, float]  # (in front, behind)
    beyond_share: float
    border_violation_share: float
    suggested_divergence: float
    flicker_pct: float
    advice: str


def comfort_summary(report: Mapping[str, Any] | None, divergence: float) -> ComfortSummary | None:
    """None when no segment carried a comfort report (a pass-through, an older job)."""
    segments = (report or {}).get("segments") or []
    parts = [
        s["comfort"]
        for s in segments
        if isinstance(s, Mapping) and isinstance(s.get("comfort"), Mapping)
        and s["comfort"].get("frames")
    ]  # fmt: skip
    if not parts:
        return None
    frames = sum(int(p["frames"]) for p in parts)

    def weighted(key: str) -> float:
        return sum(float(p.get(key, 0.0)) * int(p["frames"]) for p in parts) / frames

    behind = min(float(p["parallax_range_pct"][0]) for p in parts)
    front = max(float(p["parallax_range_pct"][1]) for p in parts)
    limits = parts[0].get("limits_pct") or {}
    suggested = min(float(p["suggested_divergence"]) for p in parts)
    beyond = weighted("beyond_share")
    if beyond > ADVISE_ABOVE_SHARE:
        advice = (
            f"{beyond:.0%} of frames go past a comfort limit: strength {suggested:g} "
            f"would keep {1 - ADVISE_ABOVE_SHARE:.0%} of them within (this job used "
            f"{divergence:g})"
        )
    elif suggested > divergence:
        advice = (
            f"comfortable; up to strength {suggested:g} would stay within the limits for more depth"
        )
    else:
        advice = "comfortable: within the limits"
    return ComfortSummary(
        frames=frames,
        parallax_range_pct=(behind, front),
        limits_pct=(float(limits.get("front", 1.0)), float(limits.get("behind", 2.0))),
        beyond_share=round(beyond, 4),
        border_violation_share=round(weighted("border_violation_share"), 4),
        suggested_divergence=suggested,
        flicker_pct=round(weighted("flicker_pct"), 5),
        advice=advice,
    )
