"""Jinja filters for the pages."""

from __future__ import annotations

import math
import time

import jinja2
from markupsafe import Markup

from stereospot.jobs.models import JobStatus
from stereospot.jobs.views import JobDetail


def when(seconds: float | None) -> Markup:
    """A moment as a <time> element: UTC in the page as sent, the reader's own time zone
    and way of writing dates once static/times.js has run."""
    if seconds is None:
        return Markup("")
    stamp = time.gmtime(seconds)
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
    text = time.strftime("%Y-%m-%d %H:%M UTC", stamp)
    return Markup('<time datetime="{}" data-local>{}</time>').format(iso, text)


def duration(seconds: float | None) -> str:
    """How long something took, as people say it: 4 s, 1 min 05 s, 2 h 03 min."""
    if seconds is None or seconds < 0:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def clock(seconds: float | None) -> str:
    """A time into a video as a player shows it: 1:05, 1:02:03."""
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_clock(text: str) -> float | None:
    """`1:05`, `1:02:03` or `65` (seconds) as seconds; empty: None; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(parts):
        raise ValueError(text)
    seconds = 0.0
    for place, part in enumerate(parts):
        value = float(part)
        # The first part may be any size ("90" seconds, "75:00" minutes); those after a
        # colon are minutes or seconds of the part before.
        if not 0 <= value < math.inf or (place and value >= 60):
            raise ValueError(text)
        seconds = seconds * 60 + value
    return seconds


def time_left(seconds: float) -> str:
    """An estimate, rounded as people round one: about 40 s, about 3 min, about 1 h 05 min."""
    if seconds < 60:
        return f"about {max(5, 5 * math.ceil(seconds / 5))} s"
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes:02d} min" if hours else f"about {minutes} min"


def pace_line(detail: JobDetail) -> str:
    """What the job page says under its bar while work goes on; empty otherwise."""
    job = detail.job
    if job.status == JobStatus.CHUNKING:
        return f"Preparing the segments: {job.chunked or 0}%"
    if job.status == JobStatus.REASSEMBLING:
        return "Joining the segments"
    if job.status != JobStatus.CONVERTING or job.converting_since is None:
        return ""  # converting since before pace was recorded: nothing to measure from
    if detail.pace is None:
        return "Measuring the speed…"
    left = f"{time_left(detail.pace.eta_seconds)} left"
    if detail.pace.fps is None:
        return left
    return f"{detail.pace.fps:.1f} frames/s · {left}"


def install_filters(env: jinja2.Environment) -> None:
    env.filters["when"] = when
    env.filters["duration"] = duration
    env.filters["clock"] = clock
    env.filters["pace_line"] = pace_line
